import type { AuthResponse, LoginRequest, RegisterRequest } from '@atrium/contracts';

/** What the OpenAPI document shows for signing up and in (and Swagger UI pre-fills). */
export const registerExample: RegisterRequest = {
  email: 'ada@example.com',
  password: 'plum-orbit-cactus-lantern-93',
  username: 'ada',
  fullName: 'Ada Lovelace',
};

export const loginExample: LoginRequest = {
  login: 'ada@example.com',
  password: 'plum-orbit-cactus-lantern-93',
};

export const authResponseExample: AuthResponse = {
  accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMTkzNmI0ZSJ9.c2lnbmF0dXJl',
  refreshToken: 'rt_3q2-Xo9vUeJ0b1mH7kP4wA',
  tokenType: 'bearer',
  expiresIn: 900,
  user: {
    id: '01936b4e-2222-7c3d-9e1f-2a3b4c5d6e7f',
    email: 'ada@example.com',
    username: 'ada',
    fullName: 'Ada Lovelace',
    bio: null,
    phoneNumber: null,
    isSuperuser: false,
    isActive: true,
    emailVerified: false,
    passwordResetRequired: false,
    mfaEnabled: false,
    permissions: [],
    createdAt: '2026-11-20T09:12:44.120Z',
    updatedAt: '2026-11-20T09:12:44.120Z',
  },
};
