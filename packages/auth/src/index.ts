export { ARGON2_OPTIONS, hashPassword, verifyPassword } from './password.js';
export {
  hasPermission,
  isPermission,
  type Permission,
  Permissions,
  type Principal,
  unknownPermissions,
} from './permissions.js';
export {
  checkPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  PASSWORD_MIN_SCORE,
  type PasswordCheck,
} from './policy.js';
export { generateToken, hashToken } from './tokens.js';
