import { DEFAULT_PASSWORD_POLICY, passwordPolicyViolations } from '../src';

describe('passwordPolicyViolations', () => {
  it('accepts a password that meets the default policy', () => {
    expect(passwordPolicyViolations('Str0ng-Passw0rd', DEFAULT_PASSWORD_POLICY)).toEqual([]);
  });

  it.each([
    ['Sh0rt!', ['length']],
    ['lowercase-0nly', ['uppercase']],
    ['UPPERCASE-0NLY', ['lowercase']],
    ['No-Numbers-Here', ['number']],
    ['NoSymbols123', ['symbol']],
    ['abc', ['length', 'uppercase', 'number', 'symbol']],
  ])('reports %p as breaking %p', (password, rules) => {
    expect(passwordPolicyViolations(password, DEFAULT_PASSWORD_POLICY)).toEqual(rules);
  });

  it('counts an inner space as a symbol but not a leading or trailing one', () => {
    expect(passwordPolicyViolations('Pass word1', DEFAULT_PASSWORD_POLICY)).toEqual([]);
    expect(passwordPolicyViolations(' Password1', DEFAULT_PASSWORD_POLICY)).toEqual(['symbol']);
  });

  it('applies only the rules the policy turns on', () => {
    const lenient = {
      MinimumLength: 6,
      RequireUppercase: false,
      RequireLowercase: false,
      RequireNumbers: false,
      RequireSymbols: false,
    };
    expect(passwordPolicyViolations('simple', lenient)).toEqual([]);
    expect(passwordPolicyViolations('short', lenient)).toEqual(['length']);
  });
});
