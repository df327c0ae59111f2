/** A user pool's password policy, as Cognito's `PasswordPolicyType` describes it. */
export interface PasswordPolicy {
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
}

/** Cognito's default policy for a new user pool. */
export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = Object.freeze({
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
});

export type PasswordRule = 'length' | 'uppercase' | 'lowercase' | 'number' | 'symbol';

/** The special characters Cognito counts as symbols (plus a non-leading, non-trailing space). */
const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+-');

/** Cognito's wording for each rule, as it follows "Password did not conform with policy: ". */
export const PASSWORD_RULE_MESSAGES: Readonly<Record<PasswordRule, string>> = {
  length: 'Password not long enough',
  uppercase: 'Password must have uppercase characters',
  lowercase: 'Password must have lowercase characters',
  number: 'Password must have numeric characters',
  symbol: 'Password must have symbol characters',
};

function hasSymbol(password: string): boolean {
  const inner = password.slice(1, -1);
  return [...password].some((char) => SYMBOLS.has(char)) || inner.includes(' ');
}

/**
 * The rules `password` breaks, in Cognito's order of checking; empty when it conforms.
 * Lengths count Unicode code points, as Cognito does.
 */
export function passwordPolicyViolations(password: string, policy: PasswordPolicy): PasswordRule[] {
  const failed: PasswordRule[] = [];
  if ([...password].length < policy.MinimumLength) failed.push('length');
  if (policy.RequireUppercase && !/\p{Lu}/u.test(password)) failed.push('uppercase');
  if (policy.RequireLowercase && !/\p{Ll}/u.test(password)) failed.push('lowercase');
  if (policy.RequireNumbers && !/[0-9]/.test(password)) failed.push('number');
  if (policy.RequireSymbols && !hasSymbol(password)) failed.push('symbol');
  return failed;
}
