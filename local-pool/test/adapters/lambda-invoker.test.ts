import { functionTarget } from '../../src/adapters/lambda-invoker';

describe('functionTarget', () => {
  it('takes the function name out of an ARN', () => {
    expect(functionTarget('arn:aws:lambda:eu-west-1:123456789012:function:user-migration')).toEqual(
      {
        FunctionName: 'user-migration',
      },
    );
  });

  it('keeps a version or alias as the qualifier', () => {
    expect(functionTarget('arn:aws:lambda:eu-west-1:123456789012:function:migrate:live')).toEqual({
      FunctionName: 'migrate',
      Qualifier: 'live',
    });
  });

  it('passes a plain name through', () => {
    expect(functionTarget('user-migration')).toEqual({ FunctionName: 'user-migration' });
  });
});
