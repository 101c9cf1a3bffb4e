//! Integration tests of the judge.

// Small hand-built logs with the verdict each account must get: a farm, a vendor driving
// real accounts, fans at a live broadcast, a household, carrier NAT, one viral burst.
mod cases;
// Small simulated worlds with planted operations: each is found, hard negatives are not.
mod planted;
// Policy files: defaults, partial files, unknown keys.
mod policy;
// The device and trust rules after the judge, on planted worlds.
mod corroborate;
// How the log used each operation's infrastructure (infrastructure.csv), against a naive count.
mod infrastructure;
// The explanations a scan writes, read back; the events behind every reason.
mod explanations;
