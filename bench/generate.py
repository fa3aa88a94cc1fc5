"""Write large, obviously fictional fixtures in the load_edition format, for benchmarks.

    python bench/generate.py --editions 500 --sub-forums 10000 --participants 50000 \\
        --appearances 250000 --out bench/out/L

writes ``series.json`` (organizations, topics, sources, the forum), ``participants.json`` and
one ``edition-NNN.json`` per edition, each with its sub-forums, appearances and statements.
Output is deterministic for a given seed and never goes under fixtures/ (real data only);
bench/out/ is git-ignored. Load it all with ``manage.py load_edition bench/out/L/*.json``.
"""

import argparse
import datetime
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORUM = "synthetic-forum"
ROLES = ["speaker", "panelist", "moderator", "keynote"]
KINDS = ["sub-forum", "panel", "plenary", "other"]
CITIES = [("Synthetic City", "Nowhere"), ("Sample Town", "Elsewhere"), ("Testville", "Placeland")]
WORDS = [
    "synthetic",
    "sample",
    "fictional",
    "example",
    "placeholder",
    "generated",
    "imaginary",
    "invented",
]


def main(argv=None):
    args = parse_args(argv)
    out = Path(args.out).resolve()
    if out == ROOT / "fixtures" or (ROOT / "fixtures") in out.parents:
        sys.exit("Refusing to write under fixtures/: that folder holds the archive's real data.")
    per_edition = -(-args.appearances // args.editions)  # ceiling
    if per_edition > args.participants:
        sys.exit("Each edition needs at least as many participants as it has appearances.")
    if args.sub_forums < args.editions:
        sys.exit("Give at least one sub-forum per edition.")
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    counts = write_series(out, args, rng)
    counts["participant"] = write_participants(out, args)
    for number in range(1, args.editions + 1):
        for model, count in write_edition(out, args, number, rng).items():
            counts[model] = counts.get(model, 0) + count
    total = sum(counts.values())
    print(f"Wrote {total} records to {out}: " + ", ".join(f"{n} {m}" for m, n in counts.items()))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--editions", type=int, default=5)
    parser.add_argument("--sub-forums", type=int, default=50, help="in total, over all editions")
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--appearances", type=int, default=500, help="in total")
    parser.add_argument(
        "--statements-per-appearance", type=int, default=1, help="statements per appearance"
    )
    parser.add_argument("--organizations", type=int, default=100)
    parser.add_argument("--topics", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20241203)
    parser.add_argument("--out", required=True, help="output folder, e.g. bench/out/L")
    args = parser.parse_args(argv)
    for name in ("editions", "participants", "appearances", "organizations", "topics"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def record(model, **fields):
    return {"model": f"archive.{model}", "fields": fields}


def phrase(rng, count=4):
    return " ".join(rng.choice(WORDS) for _ in range(count))


def org_slug(n):
    return f"organization-{n:05}"


def topic_slug(n):
    return f"topic-{n:03}"


def person_slug(n):
    return f"person-{n:06}"


def dump(path, records):
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(records, stream, ensure_ascii=False, indent=1)


def write_series(out, args, rng):
    records = [
        record(
            "organization",
            slug=org_slug(n),
            name=f"Synthetic Organization {n:05}",
            kind=rng.choice(["government", "media", "academia", "business", "non-profit"]),
            country=rng.choice(CITIES)[1],
            description=f"A fictional organization: {phrase(rng)}.",
        )
        for n in range(1, args.organizations + 1)
    ]
    records += [
        record("topic", slug=topic_slug(n), name=f"Synthetic Topic {n:03}")
        for n in range(1, args.topics + 1)
    ]
    records += [
        record(
            "source",
            slug=f"synthetic-report-{n:03}",
            title=f"Synthetic Report {n:03}",
            publisher="Synthetic Press",
            url=f"https://example.org/reports/{n:03}",
        )
        for n in range(1, args.editions + 1)
    ]
    records.append(
        record(
            "forum",
            slug=FORUM,
            name="Synthetic Forum",
            description="A fictional forum series, generated for benchmarks.",
            organizers=[[org_slug(1)], [org_slug(2)]],
        )
    )
    dump(out / "series.json", records)
    return {
        "organization": args.organizations,
        "topic": args.topics,
        "source": args.editions,
        "forum": 1,
    }


def write_participants(out, args):
    records = [
        record(
            "participant",
            slug=person_slug(n),
            name=f"Person {n:05}",
            country=CITIES[n % len(CITIES)][1],
            bio="A fictional person, generated for benchmarks.",
        )
        for n in range(1, args.participants + 1)
    ]
    dump(out / "participants.json", records)
    return len(records)


def share(total, parts, index):
    """The index-th of ``parts`` near-equal shares of ``total``."""
    return total // parts + (1 if index < total % parts else 0)


def write_edition(out, args, number, rng):
    index = number - 1
    key = [FORUM, number]
    start = datetime.date(1990, 1, 1) + datetime.timedelta(days=14 * index)
    city, country = CITIES[index % len(CITIES)]
    source = [f"synthetic-report-{number:03}"]
    records = [
        record(
            "edition",
            forum=[FORUM],
            number=number,
            theme=f"Synthetic theme {number}: {phrase(rng)}",
            city=city,
            country=country,
            start_date=start.isoformat(),
            end_date=(start + datetime.timedelta(days=2)).isoformat(),
            summary=f"A fictional edition: {phrase(rng, 12)}.",
            co_organizers=[[org_slug(1 + index % args.organizations)]],
            sources=[source],
            topics=[[topic_slug(1 + (index + k) % args.topics)] for k in range(2)],
            status="published",
        )
    ]
    sub_forums = share(args.sub_forums, args.editions, index)
    slugs = [f"session-{n:03}" for n in range(1, sub_forums + 1)]
    records += [
        record(
            "subforum",
            edition=key,
            slug=slug,
            title=f"Synthetic session {n}",
            kind=KINDS[n % len(KINDS)],
            description=phrase(rng, 8),
            topics=[[topic_slug(1 + (index + n) % args.topics)]],
            order=n,
        )
        for n, slug in enumerate(slugs, start=1)
    ]
    appearances = share(args.appearances, args.editions, index)
    first = index * appearances
    statements = []
    for n in range(appearances):
        person = person_slug(1 + (first + n) % args.participants)
        slug = slugs[n % len(slugs)]
        role = ROLES[n % len(ROLES)]
        records.append(
            record(
                "appearance",
                participant=[person],
                edition=key,
                sub_forum=[*key, slug],
                role=role,
                position="Synthetic position",
                organization=[org_slug(1 + (first + n) % args.organizations)],
                order=n // len(slugs) + 1,
            )
        )
        statements += [
            record(
                "statement",
                appearance=[person, *key, slug, role],
                number=s,
                text=f"A fictional remark: {phrase(rng, 10)}.",
                kind="paraphrase",
                source=source,
            )
            for s in range(1, args.statements_per_appearance + 1)
        ]
    dump(out / f"edition-{number:03}.json", records + statements)
    return {
        "edition": 1,
        "subforum": sub_forums,
        "appearance": appearances,
        "statement": len(statements),
    }


if __name__ == "__main__":
    main()
