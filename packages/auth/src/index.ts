export { ARGON2_OPTIONS, hashPassword, needsRehash, verifyPassword } from './password.js';
export {
  hasPermission,
  isPermission,
  type Permission,
  Permissions,
  type Principal,
  requiresMfa,
  SUPERUSER,
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
export {
  decryptSecret,
  encryptSecret,
  hashRecoveryCode,
  matchTotp,
  newRecoveryCodes,
  newTotpSecret,
  RECOVERY_CODE_COUNT,
  totpCode,
  totpUri,
} from './totp.js';
