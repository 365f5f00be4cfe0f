import { describe, expect, it } from 'vitest';
import { controlAction, FRONT_CONTROL_PATH } from './front-control';

describe('controlAction', () => {
  it('leaves every Kinesis request (POST /) to be forwarded', () => {
    expect(controlAction('POST', '/')).toBeUndefined();
    expect(controlAction('POST', '/?x=1')).toBeUndefined();
  });

  it('reads close-sessions with its mode (graceful unless immediate) and stats', () => {
    expect(controlAction('POST', `${FRONT_CONTROL_PATH}close-sessions`)).toEqual({
      kind: 'close-sessions',
      mode: 'graceful',
    });
    expect(controlAction('POST', `${FRONT_CONTROL_PATH}close-sessions?mode=immediate`)).toEqual({
      kind: 'close-sessions',
      mode: 'immediate',
    });
    expect(controlAction('GET', `${FRONT_CONTROL_PATH}stats`)).toEqual({ kind: 'stats' });
  });

  it('forwards control paths with the wrong method or an unknown action', () => {
    expect(controlAction('GET', `${FRONT_CONTROL_PATH}close-sessions`)).toBeUndefined();
    expect(controlAction('POST', `${FRONT_CONTROL_PATH}restart`)).toBeUndefined();
  });
});
