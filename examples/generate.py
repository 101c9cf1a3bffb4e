#!/usr/bin/env python3
"""Writes examples/events.jsonl, examples/accounts.csv and examples/devices.csv: one week of a
small platform with one like farm at work in it. Deterministic (a fixed xorshift, no library
randomness): running it again rewrites the same bytes. examples/README.md says who is who.

Usage: python3 examples/generate.py

Addresses come from the documentation ranges, each a role: 2001:db8:N::/48 a home's IPv6,
198.51.100.0/24 a mobile carrier's NAT pool (everyone's phone when out), 192.0.2.45 one
family's home address (IPv4, shared), 203.0.113.0/24 a datacenter.
"""

import json
import os
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))

SEC = 1000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR
# Monday 2026-03-02T00:00:00Z; the log covers that week, Monday to Sunday.
T0 = int(datetime(2026, 3, 2, tzinfo=timezone.utc).timestamp() * 1000)
DAYS = 7

ANDROID = ("Pixel 7", "android 14",
           "google/panther/panther:14/UQ1A.240205.004/11269751:user/release-keys",
           "1080x2400", "pass")
IPHONE = ("iPhone 14", "ios 17.3", "21D50", "1170x2532", "pass")
EMULATOR = ("Pixel 7", "android 14",
            "google/sdk_gphone64_x86_64/emu64x:14/UE1A.230829.019/10951125:userdebug/test-keys",
            "1080x2400")

# Creators whose posts everyone engages with; the first three bought likes this week.
CUSTOMERS = ["rosa.bakes", "kofi.beats", "mia.fit"]
CREATORS = CUSTOMERS + ["lena.travels", "omar.cooks", "jun.photos", "sam.hikes", "ivy.reads"]
# The hour (UTC) each creator posts, one post a day: `rosa.bakes/d1` is Tuesday's.
POST_HOUR = {c: 9 + 2 * k for k, c in enumerate(CREATORS)}

COMMENTS = ["where was this taken?", "the colours here 😍", "need this recipe", "so good",
            "this made my day", "who else is watching this at 2am", "saving this for later",
            "ha! exactly", "beautiful light in this one", "congrats!!"]


class Rng:
    """xorshift64."""

    def __init__(self, seed):
        self.s = seed

    def next(self):
        s = self.s
        s ^= (s << 13) & 0xFFFFFFFFFFFFFFFF
        s ^= s >> 7
        s ^= (s << 17) & 0xFFFFFFFFFFFFFFFF
        self.s = s
        return s

    def below(self, n):
        return self.next() % n

    def chance(self, num, den):
        return self.below(den) < num

    def pick(self, xs):
        return xs[self.below(len(xs))]

    def sample(self, xs, k):
        xs = list(xs)
        return [xs.pop(self.below(len(xs))) for _ in range(min(k, len(xs)))]


def iso(ts):
    return datetime.fromtimestamp(ts / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


r = Rng(20260302)
events = []
accounts = {}
devices = {}


def ev(ts, actor, action, target, owner, ip, device, client, text=None):
    e = {"ts": ts, "actor": actor, "action": action, "target": target, "owner": owner,
         "ip": ip, "device": device, "client": client}
    if text:
        e["text"] = text
    events.append(e)


def posted(creator, day):
    return T0 + day * DAY + POST_HOUR[creator] * HOUR


def latest_posts(at):
    """The posts up at time `at`: (creator, post, posted at)."""
    out = []
    for c in CREATORS:
        for d in range(DAYS):
            if posted(c, d) <= at:
                out.append((c, f"{c}/d{d}", posted(c, d)))
    return out


# --- organic people ---------------------------------------------------------------------------

# The creators: accounts years old, on their own phones at home.
for k, c in enumerate(CREATORS):
    accounts[c] = T0 - (900 + 211 * k) * DAY
    devices[f"dev-{c}"] = IPHONE if k % 2 else ANDROID

# Sixteen people with accounts one to seven years old, each with a phone of their own, at
# home (their own IPv6 /48) in the evening and on the carrier's NAT pool during the day.
PEOPLE = [f"u{k:03}" for k in range(1, 17)]
HOUSEHOLD = ["u012", "u013", "u014"]
FAN = "u007"
where = {}
for k, who in enumerate(PEOPLE):
    accounts[who] = T0 - (400 + 137 * k + r.below(200)) * DAY
    ios = k % 3 == 0
    devices[f"dev-{who}"] = IPHONE if ios else ANDROID
    home = "192.0.2.45" if who in HOUSEHOLD else f"2001:db8:{0x100 + k:x}::{2 + r.below(200):x}"
    where[who] = (home, f"dev-{who}", "ios/312.1" if ios else "android/412.0")


done = set()


def person_event(who, at, action, creator, post):
    # A like or a follow is made once.
    if action in ("like", "follow"):
        if (who, action, post) in done:
            return
        done.add((who, action, post))
    home, dev, client = where[who]
    evening = (at % DAY) >= 18 * HOUR
    ip = home if evening or r.chance(1, 3) else f"198.51.100.{1 + r.below(250)}"
    text = r.pick(COMMENTS) if action == "comment" else None
    ev(at, who, action, post, creator, ip, dev, client, text)


for who in PEOPLE:
    for d in range(DAYS):
        for _ in range(1 + r.below(4)):
            at = T0 + d * DAY + (8 + r.below(15)) * HOUR + r.below(HOUR)
            up = latest_posts(at - 10 * MIN)
            if not up:
                continue
            c, post, _ = r.pick(up[-12:])
            action = r.pick(["like", "like", "like", "like", "view", "comment", "share"])
            person_event(who, at, action, c, post)
        if r.chance(1, 7):
            c = r.pick(CREATORS)
            at = T0 + d * DAY + (9 + r.below(12)) * HOUR + r.below(HOUR)
            person_event(who, at, "follow", c, c)

# A fan who likes every one of lena.travels's posts within minutes of it going up.
for d in range(DAYS):
    at = posted("lena.travels", d) + 2 * MIN + r.below(8 * MIN)
    person_event(FAN, at, "like", "lena.travels", f"lena.travels/d{d}")

# A family at one home address, each on their own phone: late in the evening they all like
# their aunt ivy.reads's new post within a few minutes of each other.
for d in range(DAYS):
    at = posted("ivy.reads", d) + 5 * MIN + r.below(30 * MIN)
    for who in HOUSEHOLD:
        if r.chance(4, 5):
            at += 1 * MIN + r.below(4 * MIN)
            person_event(who, at, "like", "ivy.reads", f"ivy.reads/d{d}")

# Real fans of two of the customers like their posts too, hours after they go up.
for who, c in (("u003", "kofi.beats"), ("u015", "mia.fit")):
    for d in range(DAYS):
        if r.chance(2, 3):
            at = posted(c, d) + (2 + r.below(6)) * HOUR + r.below(HOUR)
            person_event(who, at, "like", c, f"{c}/d{d}")

# --- the farm ---------------------------------------------------------------------------------

# Twenty-four accounts made three to five days before the week, with no life of their own: they
# only deliver orders, from four addresses of one datacenter /24, on three emulators (an
# emulator build reporting itself as a Pixel 7), through an old build of the Android app.
FARM = [f"farm{k:02}" for k in range(1, 25)]
for k, who in enumerate(FARM):
    accounts[who] = T0 - (3 * DAY + r.below(2 * DAY))
devices["emu-1"] = EMULATOR + ("fail",)
devices["emu-2"] = EMULATOR + ("none",)
devices["emu-3"] = EMULATOR + ("fail",)

# Seven orders from the three customers over six days: each post gets 20-24 likes from the farm
# within five minutes, half an hour to two hours after it goes up.
ORDERS = [("rosa.bakes", 0), ("kofi.beats", 0), ("mia.fit", 1), ("rosa.bakes", 2),
          ("kofi.beats", 3), ("mia.fit", 4), ("rosa.bakes", 5)]
for c, d in ORDERS:
    start = posted(c, d) + 30 * MIN + r.below(90 * MIN)
    for m in r.sample(range(len(FARM)), 20 + r.below(5)):
        ev(start + r.below(5 * MIN), FARM[m], "like", f"{c}/d{d}", c,
           f"203.0.113.{10 + m % 4}", f"emu-{1 + m % 3}", "android/400.0")

# --- write ------------------------------------------------------------------------------------

events.sort(key=lambda e: (e["ts"], e["actor"], e["target"]))
lines = []
for n, e in enumerate(events, 1):
    e = {"id": f"ev{n:04}", **e, "ts": iso(e["ts"])}
    lines.append(json.dumps(e, ensure_ascii=False))
# Other ways of writing a valid event: epoch milliseconds, an offset, an IPv4-mapped IPv6
# address, no id (its id is then FILE:LINE), no owner, device or text.
lines.append('{"ts": 1772820900000, "actor": "u005", "action": "like", "target": "omar.cooks/d4", '
             '"owner": "omar.cooks", "ip": "::ffff:198.51.100.9", "device": "dev-u005", '
             '"client": "android/412.0"}')
lines.append('{"ts": "2026-03-08T21:15:00+05:30", "actor": "u009", "action": "follow", '
             '"target": "jun.photos", "ip": "2001:db8:108::7", "client": "web"}')
# And four bad lines, each rejected with its reason into rejected.jsonl: a time that is not a
# time, no actor, an id an earlier event already has, and a line cut off.
lines.append('{"ts": "yesterday", "actor": "u002", "action": "like", "target": "sam.hikes/d1"}')
lines.append('{"ts": "2026-03-08T10:00:00Z", "action": "like", "target": "sam.hikes/d2"}')
lines.append('{"id": "ev0001", "ts": "2026-03-08T10:00:00Z", "actor": "u003", "action": "like", '
             '"target": "sam.hikes/d3"}')
lines.append('{"ts": "2026-03-08T10:00:00Z", "actor": "u004", "action": "like", "target": "sam.h')
with open(os.path.join(HERE, "events.jsonl"), "w") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(HERE, "accounts.csv"), "w") as f:
    f.write("id,created_at\n")
    for who in sorted(accounts):
        f.write(f"{who},{iso(accounts[who])}\n")
with open(os.path.join(HERE, "devices.csv"), "w") as f:
    f.write("id,model,os,build,screen,attestation\n")
    for dev in sorted(devices):
        f.write(dev + "," + ",".join(devices[dev]) + "\n")
print(f"{len(lines)} lines, {len(accounts)} accounts, {len(devices)} devices")
