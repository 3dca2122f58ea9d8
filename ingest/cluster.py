"""Near-duplicate signatures for syndication clusters: MinHash over shingles of the opening of an
item's text, banded for LSH. Pure functions, no database.

Text is folded first (full-width letters and digits to ASCII, Traditional -> Simplified, lower
case). Chinese (mostly Han) text is
cut into character shingles with punctuation and spaces removed, other text into word shingles.
Only the opening `LEAD_CHARS` / `LEAD_WORDS` count: a copy cut short or with a tail added still
matches, and the cost per item is bounded. Two items are the same story when most of the
shorter one's shingles are in the longer one (containment, derived from the Jaccard similarity
the signatures estimate and the two set sizes) and neither is a small fraction of the other (a
post quoting one sentence of an article is not a copy of it).

The MinHash is the affine scheme datasketch uses by default (each of `NUM_PERM` permutations is
h -> a*h + b modulo 2**32 with odd a), computed with numpy for all shingles at once; importing
datasketch itself would load scipy (seconds) at every ingest. bench/dedup.py checks the two agree.

The LSH bands decide which stored items a new one is compared with: `BANDS` bands of `ROWS`
values each. A copy cut to 70% with a sentence dropped and a few words changed has a Jaccard
similarity near 0.35 with its original: it shares a band with probability 0.75 (0.97 over the
labelled copies of bench/dedup.py), while articles on the same topic (Jaccard below 0.02 in the
captured Chinese feeds) almost never do. A version in every band key keeps signatures of another setting apart.

A feed's truncated summary (the article's opening cut short, often under a rewritten title) is
far smaller than the article it cuts: their Jaccard similarity is too low for the bands to bring
them together, and the size test would keep them apart. So each signature also carries the key
of its text's exact opening (`opening_key`: the first `OPENING_CHARS` characters / `OPENING_WORDS`
words, folded), stored beside the bands: two articles that open alike are compared, and are the
same story when nearly all of the shorter one is in the longer (`same_opening_story`), whatever
their sizes. An opening shared by a story that goes on in its own words is not enough.

Containment alone does not say which of two texts is the copy: a daily briefing (早报, 日报, "AI
daily", a newsletter) holds the news items it lists as wholly as an article reprinted with a tail
holds the original. What tells them apart is what else the longer one holds: a text that holds
(`holds`) two texts that share next to nothing with each other (`disjoint`: different parts of
it, different stories, each a part of it) is a *roundup* (`several_stories`), and a roundup is the same story only
with a copy of the whole of it (`whole_copy`: each holds at least WHOLE of the other), never
with one of the items it lists (db.clusters decides and records which stored items are roundups).
The bands bring a briefing only some of the items it lists; each of its paragraphs opens as the item
it quotes from its start does, so their opening keys (`section_keys`, looked up, not stored) find
the others.
"""
from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass

import numpy as np

from ingest.lang import to_simplified

VERSION = "m1"
NUM_PERM = 96
BANDS, ROWS = 32, 3                 # BANDS * ROWS == NUM_PERM
CONTAINMENT = 0.5                   # share of the shorter text's shingles found in the longer one
ROOT_CONTAINMENT = 0.4              # ... and at least this much with the cluster's canonical item
MIN_RATIO = 0.3                     # the shorter text has at least this share of the longer's size
ZH_K, EN_K = 4, 3                   # characters / words per shingle
LEAD_CHARS, LEAD_WORDS = 1000, 200  # the opening that is compared
LEAD_SCAN = 1600                    # characters read to find it
MIN_SHINGLES = 24                   # fewer: too short to judge, the item stays on its own
OPENING_CHARS, OPENING_WORDS = 20, 8  # the exact opening whose key finds a truncated summary
OPENING_CONTAINMENT = 0.6           # ... and the share of the shorter text found in the longer
SECTIONS = 4                        # paragraphs whose opening keys are looked up (section_keys)
SECTION_SPAN = 160                  # characters of each read for its key (an opening's 20 or 8)
DISJOINT = 0.2                      # two texts sharing less of the shorter are different stories
UNRELATED = 0.05                    # ... and share nothing: no two cuts of one story, which keep its
                                    # first sentences (a summary, a copy without its second one)
WHOLE = 0.7                         # a copy of a roundup holds this share of it, and it of the copy
PART = 0.6                          # an item a roundup lists covers at most this share of it
SEED = 7

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# 64-bit multipliers for combining k values into one shingle hash (odd, well mixed)
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD], dtype=np.uint64)


@dataclass(frozen=True, slots=True, eq=False)
class Signature:
    values: np.ndarray          # NUM_PERM uint32 minimum hash values
    size: int                   # distinct shingles in the compared text
    opening: int | None = None  # opening_key of the text (new signatures; not stored with them)
    roundup: bool = False       # the text lists several stories by its form (ingest.roundup)
    sections: tuple[int, ...] = ()  # section_keys of the text (new signatures; not stored)

    def to_bytes(self) -> bytes:
        return self.values.astype("<u4").tobytes()

    @staticmethod
    def from_bytes(data: bytes, size: int) -> Signature:
        return Signature(np.frombuffer(data, dtype="<u4").astype(np.uint32), size)

    def bands(self) -> list[int]:
        return band_keys(self.values)

    def similarity(self, other: Signature) -> float:
        return float(np.count_nonzero(self.values == other.values)) / len(self.values)


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """(a, b) of the NUM_PERM permutations: fixed for ever (stored signatures depend on them)."""
    raw = hashlib.blake2b(f"{VERSION}:{SEED}".encode(), digest_size=64).digest()
    words = []
    counter = 0
    while len(words) < 2 * NUM_PERM:
        block = hashlib.blake2b(raw + counter.to_bytes(4, "little"), digest_size=64).digest()
        words += [int.from_bytes(block[i:i + 4], "little") for i in range(0, 64, 4)]
        counter += 1
    a = np.array(words[:NUM_PERM], dtype=np.uint32) | np.uint32(1)
    b = np.array(words[NUM_PERM:2 * NUM_PERM], dtype=np.uint32)
    return a, b


_A, _B = _permutations()


def minhash(hashes: np.ndarray) -> np.ndarray:
    """The NUM_PERM minimum permuted values of a set of uint32 hashes."""
    return (hashes[:, None] * _A[None, :] + _B[None, :]).min(axis=0)


# Full-width letters and digits -> ASCII, the part of NFKC that matters here (full-width
# punctuation is dropped with all punctuation); NFKC itself costs several times more.
_WIDTH = {c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
          for c in range(r[0], r[1] + 1)} | {0x3000: 0x20}


_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u3000]")
_NOT_LETTER = bytes(b for b in range(256) if not 97 <= b <= 122)


def fold_for_shingles(text: str) -> str:
    text = text or ""
    if not text.isascii():
        if _FULL_WIDTH.search(text):
            text = text.translate(_WIDTH)
        text = to_simplified(text)
    return text.lower()


def mostly_chinese(sample: str) -> bool:
    """More wide (CJK) characters than ASCII letters, counted at C speed on the UTF-8 bytes."""
    if sample.isascii():
        return False
    raw = sample.encode("utf-8")
    wide = (len(raw) - len(sample)) // 2
    return wide >= len(raw.translate(None, _NOT_LETTER))


def _combine(codes: np.ndarray, k: int) -> np.ndarray:
    """Hashes (uint32) of every run of k consecutive codes, computed at once."""
    n = len(codes) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint32)
    acc = np.zeros(n, dtype=np.uint64)
    c = codes.astype(np.uint64)
    for i in range(k):
        acc ^= c[i:i + n] * _MIX[i]
        acc = (acc << np.uint64(13)) | (acc >> np.uint64(51))
    acc ^= acc >> np.uint64(29)
    acc *= _MIX[4]
    return (acc >> np.uint64(32)).astype(np.uint32)


def shingles(text: str) -> np.ndarray:
    """Distinct shingle hashes of the opening of `text` (uint32, sorted)."""
    return _shingles(fold_for_shingles((text or "")[:LEAD_SCAN]))


def _shingles(s: str) -> np.ndarray:
    """shingles of a folded opening."""
    if mostly_chinese(s[:400]):
        core = _NON_WORD.sub("", s)[:LEAD_CHARS]
        codes = np.frombuffer(core.encode("utf-32-le"), dtype=np.uint32)
        hashes = _combine(codes, ZH_K)
    else:
        words = _WORD.findall(s)[:LEAD_WORDS]
        codes = np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint32,
                            count=len(words))
        hashes = _combine(codes, EN_K)
    return np.unique(hashes)


def signature(title: str, text: str) -> Signature | None:
    """The item's signature, or None when its text is too short to judge; it says whether the
    item is a roundup by its form (ingest.roundup)."""
    whole = len(text or "") >= 200
    folded = fold_for_shingles((text if whole else f"{title}\n{text or ''}")[:LEAD_SCAN])
    hashes = _shingles(folded)
    if len(hashes) < MIN_SHINGLES:
        return None
    from ingest.roundup import lists_stories     # it reads LEAD_SCAN from here

    return Signature(minhash(hashes), int(len(hashes)), opening_key(text), lists_stories(title, text),
                     _sections(folded) if whole else ())


_OPENING_SALT = f"opening:{VERSION}:"


def opening_key(text: str, span: int = 400) -> int | None:
    """A signed 64-bit key of the text's opening (its first OPENING_CHARS characters, Chinese,
    or OPENING_WORDS words, folded as for shingles, of its first `span` characters; the title is
    no part of it), or None when the text is shorter than that."""
    return _key(fold_for_shingles((text or "")[:span]))


def _key(s: str) -> int | None:
    """opening_key of a folded text."""
    if mostly_chinese(s):
        core = _NON_WORD.sub("", s)
        if len(core) < OPENING_CHARS:
            return None
        unit = core[:OPENING_CHARS]
    else:
        words = _WORD.findall(s)
        if len(words) < OPENING_WORDS:
            return None
        unit = " ".join(words[:OPENING_WORDS])
    digest = hashlib.blake2b((_OPENING_SALT + unit).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def section_keys(text: str) -> tuple[int, ...]:
    """The opening keys of the paragraphs after the first that start in the first half of the
    compared opening (at most SECTIONS, each long enough to have one; SECTION_SPAN characters of
    each read, the text folded once): a briefing quoting an item from its start holds its opening
    key there, so the item is found by it when no band brings the two together (db.roundups)."""
    if len(text or "") < 200:       # signed with its title: no briefing
        return ()
    return _sections(fold_for_shingles(text[:LEAD_SCAN // 2 + SECTION_SPAN]))


def _sections(folded: str) -> tuple[int, ...]:
    """section_keys of a folded opening."""
    keys: list[int] = []
    at = folded.find("\n", 0, LEAD_SCAN // 2)
    while at >= 0 and len(keys) < SECTIONS:
        at += 1
        end = folded.find("\n", at, at + SECTION_SPAN)
        if end < 0 or end - at >= OPENING_CHARS:
            key = _key(folded[at:at + SECTION_SPAN])
            if key is not None and key not in keys:
                keys.append(key)
        at = folded.find("\n", at if end < 0 else end, LEAD_SCAN // 2)
    return tuple(keys)


_BAND_SALT = np.uint64(int.from_bytes(hashlib.blake2b(VERSION.encode(), digest_size=8).digest(),
                                      "little"))


def band_keys(values: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (stored in item_bands.band), all bands at once."""
    rows = values.astype(np.uint64).reshape(BANDS, ROWS)
    acc = np.arange(BANDS, dtype=np.uint64) * _MIX[3] ^ _BAND_SALT
    for i in range(ROWS):
        acc = (acc ^ rows[:, i]) * _MIX[i % 3]
        acc ^= acc >> np.uint64(31)
    return acc.view(np.int64).tolist()


def similarities(sig: Signature, others: list[Signature]) -> np.ndarray:
    """Estimated Jaccard similarity of `sig` with each of `others`, at once."""
    if not others:
        return np.empty(0)
    matrix = np.stack([o.values for o in others])
    return np.count_nonzero(matrix == sig.values, axis=1) / NUM_PERM


def intersection(jaccard, a, b):
    """|A∩B| from the Jaccard similarity and the two set sizes."""
    return jaccard * (a + b) / (1.0 + jaccard)


def containment(jaccard, a, b):
    """|A∩B| / min(|A|, |B|) from the Jaccard similarity and the two set sizes."""
    return intersection(jaccard, a, b) / np.minimum(a, b)


def comparable(a, b):
    return np.minimum(a, b) >= MIN_RATIO * np.maximum(a, b)


def same_story(jaccard, a, b):
    """True where two signatures (Jaccard estimate, set sizes a and b) are the same story."""
    return comparable(a, b) & (containment(jaccard, a, b) >= CONTAINMENT)


def close_to_canonical(jaccard, a, b):
    return comparable(a, b) & (containment(jaccard, a, b) >= ROOT_CONTAINMENT)


def same_opening_story(jaccard, a, b, root: bool = False):
    """Where two texts that open alike (opening_key) are the same story, whatever their sizes (a
    truncated summary of an article): nearly all of the shorter is in the longer (at least
    OPENING_CONTAINMENT; ROOT_CONTAINMENT against a cluster's canonical item). A story that opens
    with another's sentences and goes on in its own words holds less of it."""
    return containment(jaccard, a, b) >= (ROOT_CONTAINMENT if root else OPENING_CONTAINMENT)


def holds(jaccard, whole, part):
    """Where a text of `whole` shingles holds one of `part` (no larger; Jaccard estimate
    `jaccard`): at least CONTAINMENT of the part is in it, whatever their sizes."""
    return (part <= whole) & (containment(jaccard, whole, part) >= CONTAINMENT)


def disjoint(jaccard, a, b):
    """Where two texts share less than DISJOINT of the shorter: two different stories (two copies
    of one story, however cut, share most of the shorter one's opening)."""
    return containment(jaccard, a, b) < DISJOINT


def several_stories(whole: Signature, parts: list[Signature], apart: float = DISJOINT) -> bool:
    """Whether `whole` lists several stories among `parts`: two it holds (`holds`) that are
    `disjoint` (sharing less than `apart` of the shorter), each at most PART of it, and together
    no more than all of it (the two lie in different parts of it: two cuts of one article, a
    summary of its opening and a copy without its second sentence, say, share little with each
    other but overlap in the article itself). Against parts published after it, which may be cuts
    of it, `apart` is UNRELATED (two cuts share its first sentence at least)."""
    if len(parts) < 2:
        return False
    jac = similarities(whole, parts)
    sizes = np.array([p.size for p in parts])
    share = intersection(jac, whole.size, sizes) / whole.size      # of `whole` each part covers
    keep = np.flatnonzero(holds(jac, whole.size, sizes) & (share <= PART))
    for pos, i in enumerate(keep[:-1]):
        rest = keep[pos + 1:]
        far = containment(similarities(parts[i], [parts[k] for k in rest]), sizes[i], sizes[rest]) < apart
        if (far & (share[i] + share[rest] <= 1.0)).any():
            return True
    return False


def whole_copy(jaccard, a, b):
    """Where each of two texts holds at least WHOLE of the other: the only way a roundup is the
    same story as another text (an outlet reprinting the whole briefing). The first item a
    briefing lists may fill half the opening that signatures read; not seven tenths of it."""
    return intersection(jaccard, a, b) >= WHOLE * np.maximum(a, b)
