-- lockstep store, schema version 2: the fingerprints a ban is matched by.
-- `device_fingerprints`: JSON array of {fingerprint, devices, outside_devices} (model, OS,
-- build and screen of the operation's devices, and how many devices outside the operation
-- carried the same fingerprint when it was banned). `customers`: JSON array of the accounts the
-- operation served. `profile`: JSON object with the rest of its behaviour (IP ranges with how
-- many accounts used them, hour-of-day profile, delivery profile, client mix, whether it ran
-- through real people's accounts). Rows from version 1 keep the defaults.
ALTER TABLE bans ADD COLUMN device_fingerprints TEXT NOT NULL DEFAULT '[]';
ALTER TABLE bans ADD COLUMN customers TEXT NOT NULL DEFAULT '[]';
ALTER TABLE bans ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';
