"""FAQ topics and matching a resident's message to them.

Topics live in `data/topics.toml` (contract: schema_version 1, one `[[topic]]` table each).
The matcher is built from each topic's title, keywords and examples only, never from the
evaluation set. Features are word unigrams, word bigrams and character 4-grams of the
normalised text (the n-grams absorb typos and missing diacritics). A message is scored three
ways and the scores are added:

- a multinomial naive Bayes posterior, tempered by message length;
- TF-IDF cosine between the message and each topic's centroid;
- keyword hits: each topic keyword found as whole words in the message, weighted by how
  specific the keyword is to its topic (how rarely it occurs in other topics' examples).

Sparse inverted indexes in pure Python keep a match well under a millisecond for 35 topics.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from bot.core.shipped import shipped_path
from bot.core.text import normalise

__all__ = [
    "GROUPS",
    "KINDS",
    "KnowledgeBase",
    "Match",
    "Topic",
    "TopicsError",
    "default_topics_path",
]

Kind = Literal["info", "intent"]
KINDS: tuple[Kind, ...] = ("info", "intent")
GROUPS: tuple[str, ...] = (
    "bhyt_hgd",
    "doi_tuong",
    "quyen_loi",
    "the_bhyt",
    "bhxh_tn",
    "thanh_toan",
    "lien_he",
    "intent",
)
SCHEMA_VERSION = 1
MAX_TITLE_LENGTH = 40


def default_topics_path() -> Path:
    """Return the shipped topics file, data/topics.toml (in the checkout or the wheel)."""
    return shipped_path("data/topics.toml")


class TopicsError(ValueError):
    """Raised when a topics file is missing, malformed or breaks the contract."""


@dataclass(frozen=True, slots=True)
class Topic:
    """One FAQ topic or dialog intent, as written in the topics file."""

    id: str
    kind: Kind
    title: str
    group: str
    keywords: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Match:
    """A topic and how well a message matches it (higher is better, from 0 to about 2.1)."""

    topic_id: str
    score: float


# --- loading -------------------------------------------------------------------------------


def _strings(value: Any, field: str, where: str) -> tuple[str, ...]:
    """Return `value` as a tuple of non-empty strings or raise naming the field."""
    if not isinstance(value, list) or not value:
        raise TopicsError(f"{where}: '{field}' must be a non-empty list of strings")
    if not all(isinstance(item, str) and item.strip() for item in value):
        raise TopicsError(f"{where}: '{field}' must contain only non-empty strings")
    return tuple(item.strip() for item in value)


def _topic(raw: Any, index: int, path: Path) -> Topic:
    """Build and check one topic table."""
    where = f"{path}: topic #{index + 1}"
    if not isinstance(raw, dict):
        raise TopicsError(f"{where}: must be a table")
    topic_id = raw.get("id")
    if not isinstance(topic_id, str) or not topic_id.isidentifier() or not topic_id.islower():
        raise TopicsError(f"{where}: 'id' must be a lower-case identifier, got {topic_id!r}")
    where = f"{path}: topic '{topic_id}'"
    unknown = set(raw) - {"id", "kind", "title", "group", "keywords", "examples"}
    if unknown:
        raise TopicsError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    kind, group, title = raw.get("kind"), raw.get("group"), raw.get("title")
    if kind not in KINDS:
        raise TopicsError(f"{where}: 'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    if group not in GROUPS:
        raise TopicsError(f"{where}: 'group' must be one of {', '.join(GROUPS)}, got {group!r}")
    if (kind == "intent") != (group == "intent"):
        raise TopicsError(f"{where}: intents, and only intents, belong to the 'intent' group")
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE_LENGTH:
        raise TopicsError(f"{where}: 'title' must be 1–{MAX_TITLE_LENGTH} characters")
    return Topic(
        id=topic_id,
        kind=kind,
        title=title.strip(),
        group=group,
        keywords=_strings(raw.get("keywords"), "keywords", where),
        examples=_strings(raw.get("examples"), "examples", where),
    )


def _read_topics(path: Path) -> tuple[Topic, ...]:
    """Read, parse and check a topics file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TopicsError(f"{path}: cannot read the topics file ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TopicsError(f"{path}: not valid TOML: {exc}") from exc
    if data.get("schema_version") != SCHEMA_VERSION:
        raise TopicsError(f"{path}: 'schema_version' must be {SCHEMA_VERSION}")
    raw_topics = data.get("topic")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise TopicsError(f"{path}: no [[topic]] tables")
    topics = tuple(_topic(raw, i, path) for i, raw in enumerate(raw_topics))
    seen: set[str] = set()
    for topic in topics:
        if topic.id in seen:
            raise TopicsError(f"{path}: topic '{topic.id}' is defined twice")
        seen.add(topic.id)
    return topics


# --- features ------------------------------------------------------------------------------

_CHAR_SIZE = 4
_NB_SMOOTHING = 0.03  # additive smoothing of the naive Bayes word counts
_NB_WEIGHT = 1.0
_CENTROID_WEIGHT = 0.5
_KEYWORD_WEIGHT = 0.6

# Courtesy words around a question ("Dạ cho em hỏi …", "… ạ, cảm ơn") say nothing about its
# topic but would pull it towards the greeting and thanks intents: they are dropped before
# matching unless nothing else is left.
_LEADING_COURTESY = re.compile(
    r"^(?:(?:xin chao|chao|alo|da|vang|(?:cho )?(?:em|toi|chau|minh|tui|con) (?:xin )?hoi"
    r"|cho hoi)(?: |$))+"
)
_TRAILING_COURTESY = re.compile(r"(?: (?:a|nhe|nha|vay|ha|cam on(?: nhieu)?(?: nhe| nha)?))+$")


def _core(normalised: str) -> str:
    """Drop courtesy words around a question, unless they are the whole message."""
    core = _TRAILING_COURTESY.sub("", _LEADING_COURTESY.sub("", normalised)).strip()
    return core if len(core.split()) >= 2 else normalised


def _features(normalised: str) -> Counter[str]:
    """Count word, word-bigram and character 4-gram features of normalised text."""
    words = normalised.split()
    if not words:
        return Counter()
    padded = f" {' '.join(words)} "
    return Counter(
        [
            *["w " + word for word in words],
            *[f"b {a} {b}" for a, b in pairwise(words)],
            *["c" + padded[i : i + _CHAR_SIZE] for i in range(len(padded) - _CHAR_SIZE + 1)],
        ]
    )


def _unit(vector: Mapping[str, float]) -> dict[str, float]:
    """Return `vector` scaled to length 1 (empty stays empty)."""
    norm = math.sqrt(sum(value * value for value in vector.values()))
    if norm == 0.0:
        return {}
    return {key: value / norm for key, value in vector.items()}


@dataclass(frozen=True, slots=True)
class _Keyword:
    """A normalised keyword phrase, padded with spaces for whole-word search."""

    padded: str
    topic: int
    weight: float


class _Index:
    """The matcher: naive Bayes + TF-IDF centroids + weighted keywords over fixed topics.

    Each source has its strength: naive Bayes ranks best on long, noisy messages; the
    centroid cosine is a bounded similarity that keeps gibberish low; keywords carry the
    distinctive phrases the content team wrote down. Weights were chosen by 5-fold
    cross-validation on the topics' own examples (see bench/eval_topics.py for the held-out
    evaluation set).
    """

    def __init__(self, topics: Sequence[Topic]) -> None:
        """Index the title, keywords and examples of `topics`."""
        self.size = len(topics)
        documents: list[tuple[int, Counter[str]]] = []
        for number, topic in enumerate(topics):
            for text in (topic.title, *topic.examples, *topic.keywords):
                features = _features(normalise(text))
                if features:
                    documents.append((number, features))
        self._build_centroids(documents)
        self._build_bayes(documents)
        self.keywords = self._keywords(topics)
        self._build_lookup()

    def _build_centroids(self, documents: Sequence[tuple[int, Counter[str]]]) -> None:
        """Compute IDF weights and one unit TF-IDF centroid per topic."""
        frequency: Counter[str] = Counter()
        for _, features in documents:
            frequency.update(features.keys())
        total = len(documents)
        self.idf = {f: 1.0 + math.log((1 + total) / (1 + n)) for f, n in frequency.items()}
        sums: list[Counter[str]] = [Counter() for _ in range(self.size)]
        for number, features in documents:
            sums[number].update(self._weigh(features))
        self.centroids: dict[str, list[tuple[int, float]]] = {}
        for number, vector in enumerate(sums):
            for feature, weight in _unit(vector).items():
                self.centroids.setdefault(feature, []).append((number, weight))

    def _build_bayes(self, documents: Sequence[tuple[int, Counter[str]]]) -> None:
        """Compute sparse naive Bayes log-likelihood gains (vs. an unseen feature)."""
        counts: list[Counter[str]] = [Counter() for _ in range(self.size)]
        for number, features in documents:
            counts[number].update(features)
        alpha = _NB_SMOOTHING
        vocabulary = len(self.idf)
        self.log_total = [math.log(sum(c.values()) + alpha * vocabulary) for c in counts]
        self.gains: dict[str, list[tuple[int, float]]] = {}
        for number, counted in enumerate(counts):
            for feature, n in counted.items():
                gain = math.log((n + alpha) / alpha)
                self.gains.setdefault(feature, []).append((number, gain))

    def _build_lookup(self) -> None:
        """Lay both per-feature tables side by side in one matrix; index keywords by first word.

        Row r of `matrix` holds feature r's centroid weights (first `size` columns) and its
        naive Bayes gains (last `size` columns), so a message needs one row gather.
        """
        self.feature_row = {feature: row for row, feature in enumerate(self.idf)}
        self.idf_vector = np.array(list(self.idf.values()))
        self.matrix = np.zeros((len(self.idf), 2 * self.size))
        for feature, postings in self.centroids.items():
            for number, weight in postings:
                self.matrix[self.feature_row[feature], number] = weight
        for feature, postings in self.gains.items():
            for number, gain in postings:
                self.matrix[self.feature_row[feature], self.size + number] = gain
        self.log_total_vector = np.array(self.log_total)
        self.by_first_word: dict[str, list[tuple[tuple[str, ...], _Keyword]]] = {}
        for keyword in self.keywords:
            words = tuple(keyword.padded.split())
            self.by_first_word.setdefault(words[0], []).append((words, keyword))

    def _weigh(self, features: Mapping[str, int]) -> dict[str, float]:
        """Return the unit TF-IDF vector of counted features (unknown features dropped)."""
        idf = self.idf
        return _unit({f: (1.0 + math.log(n)) * idf[f] for f, n in features.items() if f in idf})

    @staticmethod
    def _keywords(topics: Sequence[Topic]) -> list[_Keyword]:
        """Weigh every keyword by how specific it is to its own topic's examples."""
        examples = [
            (number, f" {normalise(example)} ")
            for number, topic in enumerate(topics)
            for example in topic.examples
        ]
        keywords: dict[tuple[str, int], _Keyword] = {}
        for number, topic in enumerate(topics):
            for keyword in topic.keywords:
                padded = f" {normalise(keyword)} "
                if not padded.strip() or (padded, number) in keywords:
                    continue
                own = sum(1 for n, text in examples if n == number and padded in text)
                other = sum(1 for n, text in examples if n != number and padded in text)
                specificity = (1.0 + own) / (1.0 + own + other)
                length = min(len(padded.split()), 3)
                keywords[padded, number] = _Keyword(padded, number, specificity * (1 + length) / 2)
        return list(keywords.values())

    def scores(self, normalised: str) -> NDArray[np.float64]:
        """Return one score per topic for a normalised message."""
        normalised = _core(normalised)
        scores = np.zeros(self.size)
        rows: list[int] = []
        counts: list[int] = []
        row_of = self.feature_row.get
        for feature, count in _features(normalised).items():
            row = row_of(feature)
            if row is not None:
                rows.append(row)
                counts.append(count)
        if rows:
            counted = np.array(counts, dtype=float)
            weights = (1.0 + np.log(counted)) * self.idf_vector[rows]
            both = np.stack((weights, counted)) @ self.matrix[rows]
            scale = _CENTROID_WEIGHT / math.sqrt(float(weights @ weights))
            scores += both[0, : self.size] * scale
            total = float(counted.sum())
            log_likelihood = both[1, self.size :] - total * self.log_total_vector
            tempered = np.exp((log_likelihood - log_likelihood.max()) / math.sqrt(total))
            scores += _NB_WEIGHT * tempered / tempered.sum()
        words = normalised.split()
        seen: set[int] = set()
        hits: dict[int, float] = {}
        for start, word in enumerate(words):
            for phrase, keyword in self.by_first_word.get(word, ()):
                if id(keyword) not in seen and tuple(words[start : start + len(phrase)]) == phrase:
                    seen.add(id(keyword))
                    hits[keyword.topic] = hits.get(keyword.topic, 0.0) + keyword.weight
        for number, hit in hits.items():
            scores[number] += _KEYWORD_WEIGHT * (1.0 - math.exp(-hit))
        return scores


# --- knowledge base ------------------------------------------------------------------------

MIN_SCORE = 1.0
"""A best match below this score is a guess, not an answer (chosen by cross-validation)."""
MIN_MARGIN = 0.2
"""The best match must lead the second by at least this much to be trusted."""


class KnowledgeBase:
    """The topics of one topics file and a matcher over them."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        """Index `topics` (ids must be unique)."""
        self._topics = tuple(topics)
        self._by_id = {topic.id: topic for topic in self._topics}
        self._last: tuple[tuple[str, int], tuple[Match, ...]] | None = None
        if len(self._by_id) != len(self._topics):
            raise TopicsError("topic ids must be unique")
        self._index = _Index(self._topics)

    @classmethod
    def load(cls, path: Path) -> KnowledgeBase:
        """Read and check a topics file, then index it; raise `TopicsError` naming the problem."""
        return cls(_read_topics(path))

    @property
    def topics(self) -> tuple[Topic, ...]:
        """Return every topic in file order."""
        return self._topics

    def get(self, topic_id: str) -> Topic | None:
        """Return the topic with this id, or None."""
        return self._by_id.get(topic_id)

    def in_group(self, group: str) -> tuple[Topic, ...]:
        """Return the topics of one browse-menu group, in file order."""
        return tuple(topic for topic in self._topics if topic.group == group)

    def match(self, text: str, limit: int = 3) -> list[Match]:
        """Return up to `limit` topics matching `text`, best first; empty if nothing matches.

        The last answer is kept: one message may be matched twice (a calculator step first
        asks whether the text is a question at all, then answers it).
        """
        if self._last is not None and self._last[0] == (text, limit):
            return list(self._last[1])
        normalised = normalise(text)
        if not normalised or limit <= 0:
            return []
        scores = self._index.scores(normalised)
        best = np.argsort(-scores, kind="stable")[:limit]
        found = tuple(
            Match(self._topics[number].id, float(scores[number]))
            for number in best.tolist()
            if scores[number] > 0.0
        )
        self._last = ((text, limit), found)
        return list(found)

    def is_confident(self, matches: Sequence[Match]) -> bool:
        """Tell whether the best match is good enough and clearly ahead of the second.

        Pass the result of `match` with its default limit, so the runner-up is known.
        """
        if not matches or matches[0].score < MIN_SCORE:
            return False
        second = matches[1].score if len(matches) > 1 else 0.0
        return matches[0].score - second >= MIN_MARGIN
