import { z } from 'zod';
import { validate, ValidationError } from '../src';

const schema = z.strictObject({ email: z.email(), age: z.number().int() });

describe('validate', () => {
  it('returns the parsed value for a valid body', () => {
    expect(validate(schema, { email: 'a@example.com', age: 3 })).toEqual({
      email: 'a@example.com',
      age: 3,
    });
  });

  it.each([[[]], [null], ['text'], [42]])('rejects %p as not a JSON object', (input) => {
    expect(() => validate(schema, input)).toThrow('The request body must be a JSON object.');
  });

  it('names the missing field', () => {
    const error = captureError(() => validate(schema, { age: 3 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('email: Required');
    expect(error.field).toBe('email');
    expect(error.status).toBe(400);
  });

  it('names the field with the wrong type', () => {
    const error = captureError(() => validate(schema, { email: 'a@example.com', age: 'x' }));
    expect(error.field).toBe('age');
    expect(error.message).toMatch(/^age: /);
  });

  it('names unknown fields', () => {
    const error = captureError(() =>
      validate(schema, { email: 'a@example.com', age: 1, admin: true }),
    );
    expect(error.message).toBe('Unknown field: admin');
    expect(error.field).toBe('admin');
  });
});

function captureError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error('expected an error');
}
