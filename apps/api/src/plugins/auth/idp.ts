import type { Config } from '@atrium/config';
import { type Database, externalIdentities, users } from '@atrium/db';
import { and, eq } from '@atrium/db/orm';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

export type IdpVerifier = (token: string) => Promise<JWTPayload>;

/**
 * Verifies tokens of the configured identity provider: only RS256/ES256, only its issuer and
 * audience. jose caches the key set and refetches it when a token names an unknown key (rotation).
 */
export function idpVerifier(idp: NonNullable<Config['idp']>): IdpVerifier {
  const keys = createRemoteJWKSet(new URL(idp.jwksUrl), { cooldownDuration: 30_000 });
  return async (token) => {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: ['RS256', 'ES256'],
      issuer: idp.issuer,
      audience: idp.audience,
      requiredClaims: ['sub', 'exp'],
    });
    return payload;
  };
}

/**
 * The user behind (issuer, subject), created on first use. Concurrent first requests race on
 * the unique (issuer, subject) index; the loser reads the winner's row.
 */
export async function provisionExternalUser(
  db: Database,
  issuer: string,
  claims: JWTPayload,
): Promise<string> {
  const subject = claims.sub as string;
  const existing = await findIdentity(db, issuer, subject);
  if (existing) return existing;
  const email =
    typeof claims.email === 'string' ? claims.email : `${subject}@${new URL(issuer).host}`;
  const verified = claims.email_verified === true;
  const name = typeof claims.name === 'string' ? claims.name.slice(0, 200) : null;
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ email, fullName: name, emailVerifiedAt: verified ? new Date() : null })
        .returning({ id: users.id });
      await tx.insert(externalIdentities).values({ issuer, subject, userId: user!.id });
      return user!.id;
    });
  } catch (error) {
    const raced = await findIdentity(db, issuer, subject);
    if (raced) return raced;
    throw error;
  }
}

async function findIdentity(db: Database, issuer: string, subject: string) {
  const [row] = await db
    .select({ userId: externalIdentities.userId })
    .from(externalIdentities)
    .where(and(eq(externalIdentities.issuer, issuer), eq(externalIdentities.subject, subject)));
  return row?.userId;
}
