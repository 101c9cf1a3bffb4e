#!/usr/bin/env python3
"""Writes the input files of the golden cases: events.jsonl, accounts.csv, devices.csv and
bans.json in each case directory beside this script. Deterministic (a fixed xorshift per case,
no library randomness), so running it again rewrites the same bytes; README.md, policy.toml and
the expected files are not written here (the expected files come from `scripts/bless`).

Usage: python3 crates/judge/tests/cases/generate.py [CASE...]

Addresses come from reserved ranges, each a role: 10.x.y.0/24 a home, 100.64.0.0/10 a
carrier's NAT, 172.16.0.0/12 an office, 192.0.2.0/24 residential-proxy exits, 198.51.100.0/24
a vendor's servers, 203.0.113.0/24 a datacenter. Background accounts are named `bg-…`.
"""

import json
import os
import sys
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))

SEC = 1000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR
# Monday 2026-03-02T00:00:00Z.
T0 = int(datetime(2026, 3, 2, tzinfo=timezone.utc).timestamp() * 1000)

PHONE = ("Pixel 7", "android 14",
         "google/panther/panther:14/UQ1A.240205.004/11269751:user/release-keys",
         "1080x2400", "pass")
IPHONE = ("iPhone 14", "ios 17.3", "21D50", "1170x2532", "pass")
TABLET = ("Galaxy Tab S8", "android 14",
          "samsung/gts8wifixx/gts8wifi:14/UP1A.231005.007/X700XXU5CXA1:user/release-keys",
          "1600x2560", "pass")
LAPTOP = ("", "", "", "", "none")
EMULATOR = ("Pixel 7", "android 14",
            "google/sdk_gphone64_x86_64/emu64x:14/UE1A.230829.019/10951125:userdebug/test-keys",
            "1080x2400", "fail")


class Rng:
    """xorshift64, as crates/judge/tests/cases.rs."""

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
        out = []
        for _ in range(min(k, len(xs))):
            out.append(xs.pop(self.below(len(xs))))
        return out


def iso(ts):
    dt = datetime.fromtimestamp(ts / 1000, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class Case:
    def __init__(self, name, seed):
        self.name = name
        self.rng = Rng(seed)
        self.events = []
        self.accounts = {}
        self.devices = {}
        self.bans = None

    def ev(self, ts, actor, action, target, owner, ip, device, client, text=None):
        e = {"ts": ts, "actor": actor, "action": action, "target": target}
        if owner:
            e["owner"] = owner
        if text:
            e["text"] = text
        if ip:
            e["ip"] = ip
        if device:
            e["device"] = device
        if client:
            e["client"] = client
        self.events.append(e)

    def account(self, who, created):
        self.accounts[who] = created

    def device(self, dev, kind):
        self.devices[dev] = kind

    def waking(self, day, start_h=8, end_h=23):
        """A random time of day `day` between `start_h` and `end_h` o'clock."""
        return T0 + day * DAY + start_h * HOUR + self.rng.below((end_h - start_h) * HOUR)

    def background(self, n, days, creators=30, per_day=(2, 4), reads=(0, 0), net=1):
        """`n` people (`bg-01`…), each with a phone and a home /24 of their own, created
        years ago, liking posts of `creators` creators (`creator-01/p3`, …) at waking hours,
        and reading (`view`) `reads` profiles and posts of them a day."""
        r = self.rng
        for p in range(1, n + 1):
            who = f"bg-{p:02}"
            self.account(who, T0 - (400 + r.below(2500)) * DAY)
            phone = f"phone-{who}"
            kind, client = (PHONE, "android/412.0") if p % 3 else (IPHONE, "ios/312.1")
            self.device(phone, kind)
            home = f"10.{net}.{p}.{2 + r.below(200)}"
            carrier = f"100.64.{p % 4}.{1 + r.below(250)}"
            lo, hi = per_day
            rlo, rhi = reads
            for d in range(days):
                for _ in range(lo + r.below(hi - lo + 1)):
                    c = 1 + r.below(creators)
                    ip = home if r.chance(2, 3) else carrier
                    self.ev(self.waking(d), who, "like", f"creator-{c:02}/p{r.below(20)}",
                            f"creator-{c:02}", ip, phone, client)
                if rhi:
                    for _ in range(rlo + r.below(rhi - rlo + 1)):
                        c = 1 + r.below(creators)
                        item = r.pick(["profile", "friends", f"p{r.below(20)}"])
                        self.ev(self.waking(d), who, "view", f"creator-{c:02}/{item}",
                                f"creator-{c:02}", home, phone, client)

    def person(self, who, days, ip, phone, client, kind=PHONE, per_day=(2, 5), creators=30,
               created_days_ago=1000, start=0):
        """One long-lived person's own likes."""
        r = self.rng
        self.account(who, T0 - created_days_ago * DAY)
        if phone:
            self.device(phone, kind)
        lo, hi = per_day
        for d in range(start, days):
            for _ in range(lo + r.below(hi - lo + 1)):
                c = 1 + r.below(creators)
                self.ev(self.waking(d), who, "like", f"creator-{c:02}/p{r.below(20)}",
                        f"creator-{c:02}", ip, phone, client)

    def write(self):
        d = os.path.join(HERE, self.name)
        os.makedirs(d, exist_ok=True)
        self.events.sort(key=lambda e: (e["ts"], e["actor"], e["target"]))
        with open(os.path.join(d, "events.jsonl"), "w") as f:
            for e in self.events:
                e = dict(e, ts=iso(e["ts"]))
                f.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")
        if self.accounts:
            with open(os.path.join(d, "accounts.csv"), "w") as f:
                f.write("id,created_at\n")
                for who in sorted(self.accounts):
                    f.write(f"{who},{iso(self.accounts[who])}\n")
        if self.devices:
            with open(os.path.join(d, "devices.csv"), "w") as f:
                f.write("id,model,os,build,screen,attestation\n")
                for dev in sorted(self.devices):
                    f.write(dev + "," + ",".join(self.devices[dev]) + "\n")
        if self.bans is not None:
            with open(os.path.join(d, "bans.json"), "w") as f:
                json.dump(self.bans, f, indent=2)
                f.write("\n")


def readers(c, n, days):
    """`n` people (`bg-r01`…) who each read one to five profiles or posts of 40 people
    (`friend-01`…) a day at waking hours, from home on their phones: the log's own readers,
    whose busiest tenth of reading days is the baseline harvesting is judged against."""
    r = c.rng
    for p in range(1, n + 1):
        who = f"bg-r{p:02}"
        c.account(who, T0 - (400 + r.below(2500)) * DAY)
        phone = f"phone-{who}"
        c.device(phone, PHONE)
        home = f"10.4.{p}.{2 + r.below(200)}"
        for d in range(days):
            for _ in range(1 + r.below(5)):
                f = f"friend-{1 + r.below(40):02}"
                item = r.pick(["profile", "friends", f"p{r.below(10)}"])
                c.ev(c.waking(d), who, "view", f"{f}/{item}", f, home, phone, "android/412.0")


# --- the cases ------------------------------------------------------------------------------


def like_farm_burst():
    c = Case("like-farm-burst", 101)
    r = c.rng
    c.background(12, 7)
    farm = [f"farm-{m:02}" for m in range(1, 13)]
    for m, who in enumerate(farm):
        c.account(who, T0 - 10 * DAY)
    for k in range(1, 5):
        c.device(f"emu-{k}", EMULATOR)
    # Nine orders: three customers, three posts each, over six days; each delivered by 8-11 of
    # the farm within four minutes.
    orders = [(cust, p) for p in range(1, 4) for cust in ("cust-ana", "cust-bo", "cust-cy")]
    for o, (cust, p) in enumerate(orders):
        start = T0 + (o * 16 + 10) * HOUR
        for m in r.sample(range(12), 8 + r.below(4)):
            c.ev(start + r.below(4 * MIN), farm[m], "like", f"{cust}/p{p}", cust,
                 f"203.0.113.{10 + m % 4}", f"emu-{1 + m // 3}", "android/400.0")
    # Their own fans like the customers' posts too, at their own times.
    for k, who in enumerate(("fan-of-ana", "fan-of-bo")):
        home = f"10.9.{k}.4"
        c.person(who, 7, home, f"phone-{who}", "android/412.0")
        for o, (cust, p) in enumerate(orders):
            if cust[5:] in who:
                c.ev(T0 + (o * 16 + 10) * HOUR + (2 + r.below(10)) * HOUR, who, "like",
                     f"{cust}/p{p}", cust, home, f"phone-{who}", "android/412.0")
    return c


def fan_club_live():
    c = Case("fan-club-live", 202)
    r = c.rng
    c.background(12, 7)
    # 30 fans of one streamer, each with an account years old, a phone of their own and their
    # own home or carrier address, liking creators' posts all week.
    fans = [f"fan-{k:02}" for k in range(1, 31)]
    homes = {}
    for k, who in enumerate(fans):
        home = f"10.2.{k}.{10 + r.below(200)}" if k % 3 else f"100.64.{k % 5}.{1 + r.below(250)}"
        ios = k % 2 == 0
        homes[who] = (home, f"phone-{who}", "ios/312.1" if ios else "android/412.0")
        c.person(who, 7, home, f"phone-{who}", homes[who][2], kind=IPHONE if ios else PHONE,
                 per_day=(1, 3), created_days_ago=300 + 97 * k)
    # Thursday 20:00, a two-hour live broadcast: the streamer posts a clip every ten minutes,
    # and most fans like each within three minutes of it going up.
    start = T0 + 3 * DAY + 20 * HOUR
    for clip in range(1, 11):
        at = start + (clip - 1) * 10 * MIN
        for who in fans:
            if r.chance(3, 4):
                ip, phone, client = homes[who]
                c.ev(at + 20 * SEC + r.below(3 * MIN), who, "like", f"streamer/live-{clip}",
                     "streamer", ip, phone, client)
    return c


def fan_club_three_shows():
    c = Case("fan-club-three-shows", 222)
    r = c.rng
    c.background(12, 9)
    # The fan club of fan-club-live, over nine days, at three of the streamer's twice-weekly
    # shows: the same people liking the same creator's clips within minutes, three evenings.
    fans = [f"fan-{k:02}" for k in range(1, 25)]
    homes = {}
    for k, who in enumerate(fans):
        home = f"10.2.{k}.{10 + r.below(200)}" if k % 3 else f"100.64.{k % 5}.{1 + r.below(250)}"
        ios = k % 2 == 0
        homes[who] = (home, f"phone-{who}", "ios/312.1" if ios else "android/412.0")
        c.person(who, 9, home, f"phone-{who}", homes[who][2], kind=IPHONE if ios else PHONE,
                 per_day=(1, 3), created_days_ago=300 + 97 * k)
    for show, day in enumerate((1, 4, 8)):
        start = T0 + day * DAY + 20 * HOUR
        for clip in range(1, 11):
            at = start + (clip - 1) * 10 * MIN
            for who in fans:
                if r.chance(3, 4):
                    ip, phone, client = homes[who]
                    c.ev(at + 20 * SEC + r.below(3 * MIN), who, "like",
                         f"streamer/show{show + 1}-{clip}", "streamer", ip, phone, client)
    return c


def family_shared_tablet():
    c = Case("family-shared-tablet", 303)
    r = c.rng
    c.background(12, 7)
    family = ["mum", "dad", "teen", "gran"]
    home, tablet = "10.3.0.5", "tablet-family"
    c.device(tablet, TABLET)
    for k, who in enumerate(family):
        c.account(who, T0 - (2000 + 300 * k) * DAY)
    # Every evening the tablet goes round the sofa: each of them likes the relatives' new
    # posts within a few minutes of each other; during the day each likes creators' posts.
    relatives = ["aunt-jo", "cousin-max", "uncle-li"]
    for d in range(7):
        for who in family:
            for _ in range(1 + r.below(3)):
                k = 1 + r.below(30)
                c.ev(c.waking(d, 9, 19), who, "like", f"creator-{k:02}/p{r.below(20)}",
                     f"creator-{k:02}", home, tablet, "android/412.0")
        evening = T0 + d * DAY + 20 * HOUR + r.below(HOUR)
        for rel in r.sample(relatives, 1 + r.below(2)):
            post = f"{rel}/d{d}"
            t = evening
            for who in family:
                if r.chance(4, 5):
                    t += 30 * SEC + r.below(3 * MIN)
                    c.ev(t, who, "like", post, rel, home, tablet, "android/412.0")
            evening = t + 5 * MIN
    return c


def carrier_nat():
    c = Case("carrier-nat", 404)
    r = c.rng
    c.background(12, 7)
    # 30 people on one mobile carrier whose NAT puts them all behind one address, each on a
    # phone of their own, with accounts years old; many follow the same popular creator.
    nat = "100.64.77.1"
    for k in range(1, 31):
        who = f"mobile-{k:02}"
        ios = k % 3 == 0
        c.person(who, 7, nat, f"phone-{who}", "ios/312.1" if ios else "android/412.0",
                 kind=IPHONE if ios else PHONE, per_day=(1, 3), created_days_ago=200 + 53 * k)
        for d in range(7):
            if r.chance(2, 3):
                c.ev(c.waking(d), who, "like", f"popular/p{d}", "popular", nat,
                     f"phone-{who}", "ios/312.1" if ios else "android/412.0")
    return c


def power_user():
    c = Case("power-user", 505)
    r = c.rng
    c.background(12, 4)
    # One enthusiast likes 200-260 posts a day across 120 creators, from 07:00 to midnight,
    # at home and on the carrier, on one phone.
    who, phone = "power-pat", "phone-power-pat"
    c.account(who, T0 - 3100 * DAY)
    c.device(phone, PHONE)
    for d in range(4):
        for _ in range(200 + r.below(61)):
            k = 1 + r.below(120)
            ip = "10.5.0.9" if r.chance(3, 5) else "100.64.5.200"
            c.ev(c.waking(d, 7, 24), who, "like", f"creator-{k:02}/p{r.below(20)}",
                 f"creator-{k:02}", ip, phone, "android/412.0")
    return c


def vendor_app_compromised():
    c = Case("vendor-app-compromised", 606)
    r = c.rng
    c.background(12, 10)
    # 12 real people with years-old accounts, own phones and homes, liking creators all
    # fortnight; from day 3 a "growth" app they signed into (client api:growthkit) likes
    # three customers' posts through them from the vendor's three servers.
    people = [f"real-{k:02}" for k in range(1, 13)]
    for k, who in enumerate(people):
        c.person(who, 10, f"10.6.{k}.{20 + k}", f"phone-{who}", "android/412.0",
                 per_day=(2, 4), created_days_ago=700 + 41 * k)
    customers = ["cust-dan", "cust-eve", "cust-fay"]
    for o in range(9):
        cust = customers[o % 3]
        start = T0 + 3 * DAY + o * 17 * HOUR
        for who in r.sample(people, 7 + r.below(4)):
            c.ev(start + r.below(15 * MIN), who, "like", f"{cust}/p{o // 3 + 1}", cust,
                 f"198.51.100.{20 + r.below(3)}", None, "api:growthkit")
    return c


def harvest_crew():
    c = Case("harvest-crew", 707)
    r = c.rng
    c.background(12, 3, per_day=(0, 2))
    readers(c, 40, 3)
    # Three fresh accounts read profiles, friend lists and posts of 100 people around the
    # clock for three days, from two datacenter addresses and one emulator, each reading item
    # once (a walk of the graph).
    crew = ["reader-1", "reader-2", "reader-3"]
    c.device("emu-reader", EMULATOR)
    for who in crew:
        c.account(who, T0 - 5 * DAY)
    items = [f"vic-{v:03}/{it}" for v in range(1, 101) for it in ("profile", "friends", "p1", "p2")]
    for k, who in enumerate(crew):
        todo = r.sample(items, len(items))
        for d in range(3):
            for h in range(24):
                for _ in range(3 + r.below(2)):
                    if not todo:
                        todo = r.sample(items, len(items))
                    item = todo.pop()
                    c.ev(T0 + d * DAY + h * HOUR + r.below(HOUR), who, "view", item,
                         item.split("/")[0], f"203.0.113.{60 + r.below(2)}", "emu-reader",
                         "android/400.0")
    return c


def recruiter_working_hours():
    c = Case("recruiter-working-hours", 808)
    r = c.rng
    c.background(12, 3, per_day=(0, 2))
    readers(c, 40, 3)
    # A recruiter reads 100-140 candidates' profiles a day and a moderator 120-160 reported
    # posts, Monday to Wednesday in office hours, each from an office network and a laptop.
    for who, office, (h0, h1), (lo, hi), kind in (
        ("recruiter-rae", "172.16.4.20", (9, 18), (100, 140), "profile"),
        ("moderator-mo", "172.17.8.3", (8, 16), (120, 160), "post"),
    ):
        c.account(who, T0 - 1500 * DAY)
        laptop = f"laptop-{who}"
        c.device(laptop, LAPTOP)
        seen = 0
        for d in range(3):
            for _ in range(lo + r.below(hi - lo + 1)):
                seen += 1
                owner = f"user-{seen:03}" if kind == "profile" else f"user-{r.below(300):03}"
                item = f"{owner}/profile" if kind == "profile" else f"{owner}/p{seen}"
                c.ev(c.waking(d, h0, h1), who, "view", item, owner, office, laptop, "web")
    return c


def follower_drip():
    c = Case("follower-drip", 909)
    r = c.rng
    c.background(12, 7)
    # Each background person follows a few creators and, now and then, one of the customers.
    customers = ["cust-gus", "cust-hal", "cust-ivy", "cust-jo"]
    for p in range(1, 13):
        who = f"bg-{p:02}"
        for k in r.sample(range(1, 31), 3):
            c.ev(c.waking(r.below(7)), who, "follow", f"creator-{k:02}", f"creator-{k:02}",
                 f"10.1.{p}.50", f"phone-{who}", "android/412.0")
        if r.chance(1, 3):
            cust = r.pick(customers)
            c.ev(c.waking(r.below(7)), who, "follow", cust, cust, f"10.1.{p}.50",
                 f"phone-{who}", "android/412.0")
    # A pool of 24 accounts made a week ago follows the four customers one at a time, spread
    # over six days, through residential-proxy exits; each follows a creator or two besides.
    pool = [f"pool-{k:02}" for k in range(1, 25)]
    for k, who in enumerate(pool):
        c.account(who, T0 - (6 + k % 3) * DAY)
        dev = f"phone-{who}"
        c.device(dev, PHONE)
        for cust in customers:
            if r.chance(9, 10):
                c.ev(T0 + DAY + r.below(6 * DAY), who, "follow", cust, cust,
                     f"192.0.2.{1 + r.below(250)}", dev, "android/401.0")
        for kk in r.sample(range(1, 31), 1 + r.below(2)):
            c.ev(T0 + r.below(7 * DAY), who, "follow", f"creator-{kk:02}",
                 f"creator-{kk:02}", f"192.0.2.{1 + r.below(250)}", dev, "android/401.0")
    return c


def ban_evasion_comeback():
    c = Case("ban-evasion-comeback", 1010)
    r = c.rng
    c.background(12, 7)
    banned_until = T0 - 2 * DAY
    # The ban list: a like farm banned a fortnight ago, with the datacenter range it ran from
    # (30 of its accounts, nobody else) and the two customers it served.
    c.bans = [{
        "operation": "op-001",
        "kind": "like-farm",
        "action_key": "ban_vendor:op-001",
        "devices": ["emu-old-1", "emu-old-2"],
        "ip_ranges": ["203.0.113.0/24"],
        "range_use": [{"range": "203.0.113.0/24", "members": 30, "accounts": 30}],
        "customers": ["cust-kim", "cust-lee"],
        "through_real_accounts": False,
        "active_until": banned_until,
    }]
    # Six accounts opened this week come back on the same range and like the same customers'
    # posts, a few likes each at scattered times (no lockstep).
    for k in range(1, 7):
        who = f"new-{k:02}"
        c.account(who, T0 + r.below(DAY))
        dev = f"phone-{who}"
        c.device(dev, PHONE)
        for d in r.sample(range(1, 7), 3):
            cust = r.pick(["cust-kim", "cust-lee"])
            c.ev(c.waking(d), who, "like", f"{cust}/p{d}", cust, f"203.0.113.{100 + k}", dev,
                 "android/412.0")
    # A long-time fan of cust-kim likes her posts (customers: one kind of evidence), and a
    # new account on the same datacenter range likes creators (network: one kind).
    c.person("fan-of-kim", 7, "10.10.1.8", "phone-fan-of-kim", "ios/312.1", kind=IPHONE)
    for d in range(1, 7):
        c.ev(c.waking(d), "fan-of-kim", "like", f"cust-kim/p{d}", "cust-kim", "10.10.1.8",
             "phone-fan-of-kim", "ios/312.1")
    c.person("vpn-val", 7, "203.0.113.200", "phone-vpn-val", "android/412.0",
             created_days_ago=3, start=1)
    return c


def slow_farm(name, seed):
    c = Case(name, seed)
    r = c.rng
    c.background(12, 7)
    # A farm of 12 accounts on a datacenter range spreads each of nine orders (three
    # customers, three posts each) over three hours instead of minutes.
    farm = [f"farm-{m:02}" for m in range(1, 13)]
    for who in farm:
        c.account(who, T0 - 12 * DAY)
    orders = [(cust, p) for p in range(1, 4) for cust in ("cust-mia", "cust-ned", "cust-oz")]
    for o, (cust, p) in enumerate(orders):
        start = T0 + (o * 16 + 9) * HOUR
        for m in r.sample(range(12), 8 + r.below(4)):
            c.ev(start + r.below(3 * HOUR), farm[m], "like", f"{cust}/p{p}", cust,
                 f"203.0.113.{30 + m % 4}", f"phone-{farm[m]}", "android/400.0")
    return c


def slow_delivery_default():
    return slow_farm("slow-delivery-default-policy", 1111)


def slow_delivery_fast_pass_only():
    return slow_farm("slow-delivery-fast-pass-only", 1111)


def viral_post():
    c = Case("viral-post", 1212)
    r = c.rng
    c.background(12, 7)
    # 120 people, each with their own account, phone and home, like one post within twenty
    # minutes of it going up; 40 of them like the follow-up post an hour later.
    for k in range(1, 121):
        who = f"viewer-{k:03}"
        home = f"10.12.{k}.{1 + r.below(250)}"
        c.account(who, T0 - (100 + 13 * k) * DAY)
        at = T0 + 4 * DAY + 19 * HOUR + r.below(20 * MIN)
        c.ev(at, who, "like", "lucky/viral-1", "lucky", home, f"phone-{who}", "android/412.0")
        if k <= 40:
            c.ev(at + HOUR + r.below(10 * MIN), who, "like", "lucky/viral-2", "lucky", home,
                 f"phone-{who}", "android/412.0")
        # Each has a like or two of their own on other days.
        for d in r.sample([0, 1, 2, 3, 5, 6], 2):
            kk = 1 + r.below(30)
            c.ev(c.waking(d), who, "like", f"creator-{kk:02}/p{r.below(20)}",
                 f"creator-{kk:02}", home, f"phone-{who}", "android/412.0")
    return c


def comment_farm():
    c = Case("comment-farm-template", 1313)
    r = c.rng
    c.background(20, 7, per_day=(0, 1))
    # Ordinary comments from the background: short, varied, spread over creators, two or
    # three a day each.
    lines = ["love this", "so good", "where is this?", "haha yes", "the colours here",
             "need this in my life", "great shot", "miss you!", "what lens is this", "wow",
             "this made my day", "can't stop laughing", "ok this is art", "proud of you"]
    for p in range(1, 21):
        who = f"bg-{p:02}"
        for d in range(7):
            for _ in range(2 + r.below(2)):
                k = 1 + r.below(30)
                c.ev(c.waking(d), who, "comment", f"creator-{k:02}/p{r.below(20)}",
                     f"creator-{k:02}", f"10.1.{p}.60", f"phone-{who}", "android/412.0",
                     text=r.pick(lines))
    # Six accounts made last week post spun copies of one template under the new post of
    # each of four small shops, on four days, through residential-proxy exits.
    farm = [f"spin-{k:02}" for k in range(1, 7)]
    a = ["so", "super", "really"]
    b = ["creating", "posting"]
    for who in farm:
        c.account(who, T0 - 9 * DAY)
        c.device(f"phone-{who}", PHONE)
    shops = ["shop-pia", "shop-quin", "shop-rex", "shop-sol"]
    for o, shop in enumerate(shops):
        post = f"{shop}/p1"
        start = T0 + (o * 26 + 10) * HOUR
        for who in farm:
            text = f"{r.pick(a)} inspiring, keep up the great work and never stop {r.pick(b)}"
            c.ev(start + r.below(2 * HOUR), who, "comment", post, shop,
                 f"192.0.2.{1 + r.below(250)}", f"phone-{who}", "android/401.0", text=text)
    return c


def harvest_through_a_farm():
    c = Case("harvest-through-a-farm", 1414)
    r = c.rng
    c.background(12, 7, per_day=(0, 2))
    readers(c, 40, 7)
    # A like farm: twelve fresh accounts deliver nine orders over six days, 8-11 of them
    # liking each post within four minutes, from two addresses of one datacenter /24.
    farm = [f"farm-{m:02}" for m in range(1, 13)]
    for who in farm:
        c.account(who, T0 - 10 * DAY)
    for k in range(1, 5):
        c.device(f"emu-{k}", EMULATOR)
    orders = [(cust, p) for p in range(1, 4) for cust in ("cust-ana", "cust-bo", "cust-cy")]
    for o, (cust, p) in enumerate(orders):
        start = T0 + (o * 16 + 10) * HOUR
        for m in r.sample(range(12), 8 + r.below(4)):
            c.ev(start + r.below(4 * MIN), farm[m], "like", f"{cust}/p{p}", cust,
                 f"203.0.113.{10 + m % 2}", f"emu-{1 + m // 3}", "android/400.0")
    # The same vendor's three readers read 100 people's profiles, friend lists and posts
    # around the clock for three days through the farm's two addresses, on an emulator of
    # their own.
    crew = ["reader-1", "reader-2", "reader-3"]
    c.device("emu-reader", EMULATOR)
    for who in crew:
        c.account(who, T0 - 5 * DAY)
    items = [f"vic-{v:03}/{it}" for v in range(1, 101) for it in ("profile", "friends", "p1", "p2")]
    for who in crew:
        todo = r.sample(items, len(items))
        for d in range(3):
            for h in range(24):
                for _ in range(3 + r.below(2)):
                    if not todo:
                        todo = r.sample(items, len(items))
                    item = todo.pop()
                    c.ev(T0 + d * DAY + h * HOUR + r.below(HOUR), who, "view", item,
                         item.split("/")[0], f"203.0.113.{10 + r.below(2)}", "emu-reader",
                         "android/400.0")
    return c


CASES = [
    like_farm_burst,
    fan_club_live,
    fan_club_three_shows,
    family_shared_tablet,
    carrier_nat,
    power_user,
    vendor_app_compromised,
    harvest_crew,
    recruiter_working_hours,
    follower_drip,
    ban_evasion_comeback,
    slow_delivery_default,
    slow_delivery_fast_pass_only,
    viral_post,
    comment_farm,
    harvest_through_a_farm,
]


def main(argv):
    names = set(argv[1:])
    for make in CASES:
        c = make()
        if names and c.name not in names:
            continue
        c.write()
        print(f"{c.name}: {len(c.events)} events")


if __name__ == "__main__":
    main(sys.argv)
