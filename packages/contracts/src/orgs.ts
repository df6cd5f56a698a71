import { type Static, Type } from 'typebox';
import { Id, Nullable, Page, PageQuery, Timestamp } from './common.js';

/** Organization roles, lowest first: each role can do everything the ones before it can. */
export const OrgRoles = ['viewer', 'member', 'admin', 'owner'] as const;
export type OrgRole = (typeof OrgRoles)[number];
export const OrgRoleSchema = Type.Enum(OrgRoles);

/**
 * The permission matrix of SPEC §4.3, defined once: the action a route performs → the lowest role
 * allowed to perform it. The tenancy guard enforces it and the OpenAPI document quotes it.
 * Rules about owners (only owners manage owners; an org keeps ≥ 1 owner) sit on top of it.
 */
export const OrgActions = {
  'org:read': 'viewer',
  'org:update': 'admin',
  'org:delete': 'owner',
  'members:read': 'viewer',
  'members:manage': 'admin',
  'invitations:manage': 'admin',
  'data:read': 'viewer',
  'data:write': 'member',
  'audit:read': 'owner',
} as const satisfies Record<string, OrgRole>;
export type OrgAction = keyof typeof OrgActions;

export const roleAtLeast = (role: OrgRole, needed: OrgRole) =>
  OrgRoles.indexOf(role) >= OrgRoles.indexOf(needed);

const Name = Type.String({ minLength: 1, maxLength: 100 });
const Slug = Type.String({
  minLength: 2,
  maxLength: 60,
  pattern: '^[a-z0-9]+(-[a-z0-9]+)*$',
  description: 'lowercase letters and digits in dash-separated words',
});

export const Organization = Type.Object(
  {
    id: Id,
    name: Type.String(),
    slug: Type.String(),
    role: OrgRoleSchema,
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { description: "An organization, with the caller's role in it" },
);
export type Organization = Static<typeof Organization>;
export const OrganizationPage = Page(Organization);

export const CreateOrgRequest = Type.Object(
  { name: Name, slug: Type.Optional(Slug) },
  { additionalProperties: false },
);
export type CreateOrgRequest = Static<typeof CreateOrgRequest>;

export const UpdateOrgRequest = Type.Object(
  { name: Type.Optional(Name), slug: Type.Optional(Slug) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateOrgRequest = Static<typeof UpdateOrgRequest>;

export const OrgParams = Type.Object({ orgId: Type.String() }, { additionalProperties: false });
export const MemberParams = Type.Object(
  { orgId: Type.String(), userId: Type.String() },
  { additionalProperties: false },
);
export const InvitationParams = Type.Object(
  { orgId: Type.String(), id: Type.String() },
  { additionalProperties: false },
);

export const Member = Type.Object({
  userId: Id,
  email: Type.String(),
  username: Nullable(Type.String()),
  fullName: Nullable(Type.String()),
  role: OrgRoleSchema,
  createdAt: Timestamp,
});
export type Member = Static<typeof Member>;
export const MemberPage = Page(Member);

/**
 * A superuser's direct grant of membership (SPEC §4.3: nobody joins without consent, except by an
 * explicit, audited superuser action). Org admins invite; they cannot add accounts.
 */
export const GrantMembershipRequest = Type.Object(
  { userId: Id, role: OrgRoleSchema },
  { additionalProperties: false },
);
export type GrantMembershipRequest = Static<typeof GrantMembershipRequest>;

export const UpdateMemberRequest = Type.Object(
  { role: OrgRoleSchema },
  { additionalProperties: false },
);
export type UpdateMemberRequest = Static<typeof UpdateMemberRequest>;

export const Invitation = Type.Object(
  {
    id: Id,
    orgId: Id,
    email: Type.String(),
    role: OrgRoleSchema,
    invitedBy: Nullable(Id),
    expiresAt: Timestamp,
    createdAt: Timestamp,
  },
  { description: 'A pending invitation; its token is only emailed' },
);
export type Invitation = Static<typeof Invitation>;
export const InvitationPage = Page(Invitation);

export const CreateInvitationRequest = Type.Object(
  { email: Type.String({ format: 'email', maxLength: 254 }), role: OrgRoleSchema },
  { additionalProperties: false },
);
export type CreateInvitationRequest = Static<typeof CreateInvitationRequest>;

export const AcceptInvitationRequest = Type.Object(
  { token: Type.String({ minLength: 16, maxLength: 200 }) },
  { additionalProperties: false },
);
export type AcceptInvitationRequest = Static<typeof AcceptInvitationRequest>;

/** An organization as a superuser administers it: no role of theirs, its member counts. */
export const AdminOrganization = Type.Object({
  id: Id,
  name: Type.String(),
  slug: Type.String(),
  memberCount: Type.Integer({ minimum: 0 }),
  ownerCount: Type.Integer({ minimum: 0 }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type AdminOrganization = Static<typeof AdminOrganization>;
export const AdminOrganizationPage = Page(AdminOrganization);

export const AdminOrgListQuery = Type.Object(
  {
    ...PageQuery.properties,
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Matches the name or slug' }),
    ),
  },
  { additionalProperties: false },
);
export type AdminOrgListQuery = Static<typeof AdminOrgListQuery>;

/**
 * Makes `userId` an owner (added as one when not a member: an explicit, audited superuser action)
 * and every other owner an admin.
 */
export const TransferOwnershipRequest = Type.Object(
  { userId: Id },
  { additionalProperties: false },
);
export type TransferOwnershipRequest = Static<typeof TransferOwnershipRequest>;
