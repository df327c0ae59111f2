-- Up Migration

-- One row per revocation. Rows are merged (the latest not_before wins), so the table
-- holds at most one row per user, per session and per user and group.
CREATE TABLE revocations (
  -- 'user': every token of the user (subject = sub) issued before not_before;
  -- 'session': every token of one sign-in (subject = origin_jti);
  -- 'group': the group claim group_name in tokens of the user issued before not_before.
  kind text NOT NULL CHECK (kind IN ('user', 'session', 'group')),
  subject text NOT NULL,
  group_name text NOT NULL DEFAULT '',
  -- Seconds since the epoch: tokens whose iat is below this are refused.
  not_before bigint NOT NULL,
  -- Seconds since the epoch: no token the row can match is still valid after this.
  expires_at bigint NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, subject, group_name)
);
CREATE INDEX revocations_expires_at ON revocations (expires_at);

-- Every change reaches every listening resource-server at commit.
CREATE FUNCTION notify_revocation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(
    'revocations',
    json_build_array(NEW.kind, NEW.subject, NEW.group_name, NEW.not_before, NEW.expires_at)::text
  );
  RETURN NULL;
END
$$;
CREATE TRIGGER revocations_notify AFTER INSERT OR UPDATE ON revocations
  FOR EACH ROW EXECUTE FUNCTION notify_revocation();

-- rate-limiter-flexible's table layout (RateLimiterPostgres with tableCreated: true).
CREATE TABLE rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
CREATE INDEX rate_limits_expire ON rate_limits (expire);

-- Down Migration
DROP TABLE rate_limits;
DROP TRIGGER revocations_notify ON revocations;
DROP FUNCTION notify_revocation();
DROP TABLE revocations;
