/** What the client keeps of a sign-in: the pair `POST /auth/login` and `/auth/refresh` return. */
export interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/**
 * Where the tokens live: memory by default; a browser app may keep them in storage it trusts,
 * a CLI in a file. `set(undefined)` signs out (the refresh token was refused).
 */
export interface TokenStore {
  get(): Tokens | undefined | Promise<Tokens | undefined>;
  set(tokens: Tokens | undefined): void | Promise<void>;
}

export function memoryTokenStore(initial?: Tokens): TokenStore {
  let tokens = initial;
  return {
    get: () => tokens,
    set: (next) => {
      tokens = next;
    },
  };
}
