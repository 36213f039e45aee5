"""Tests for loading topics and matching messages to them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.core.knowledge import KnowledgeBase, Match, TopicsError, default_topics_path

GOOD_TOPIC = """
[[topic]]
id = "{id}"
kind = "{kind}"
title = "{title}"
group = "{group}"
keywords = ["muc dong", "bao nhieu tien"]
examples = ["nhà tôi 4 người đóng bhyt bao nhiêu", "giá thẻ bảo hiểm y tế"]
"""


def write(tmp_path: Path, body: str, version: int = 1) -> Path:
    """Write a topics file and return its path."""
    path = tmp_path / "topics.toml"
    path.write_text(f"schema_version = {version}\n{body}", encoding="utf-8")
    return path


def topic(**fields: str) -> str:
    """Return one [[topic]] table with valid defaults."""
    values = {"id": "bhyt_hgd_muc_dong", "kind": "info", "title": "Mức đóng", "group": "bhyt_hgd"}
    return GOOD_TOPIC.format(**(values | fields))


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    """Load the real topics file once."""
    return KnowledgeBase.load(default_topics_path())


class TestLoad:
    def test_loads_a_valid_file(self, tmp_path: Path) -> None:
        kb = KnowledgeBase.load(
            write(
                tmp_path,
                topic() + topic(id="greeting", kind="intent", group="intent", title="Chào"),
            )
        )
        assert [t.id for t in kb.topics] == ["bhyt_hgd_muc_dong", "greeting"]
        found = kb.get("greeting")
        assert found is not None
        assert found.kind == "intent"
        assert found.examples[0] == "nhà tôi 4 người đóng bhyt bao nhiêu"
        assert kb.get("nope") is None
        assert [t.id for t in kb.in_group("intent")] == ["greeting"]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            (topic() + topic(), "topic 'bhyt_hgd_muc_dong' is defined twice"),
            (topic(kind="faq"), "topic 'bhyt_hgd_muc_dong': 'kind' must be one of"),
            (topic(group="misc"), "topic 'bhyt_hgd_muc_dong': 'group' must be one of"),
            (topic(kind="intent"), "intents, and only intents"),
            (topic(title="x" * 41), "'title' must be 1–40 characters"),
            (topic(id="Bad Id"), "topic #1: 'id' must be a lower-case identifier"),
            (
                topic().replace('keywords = ["muc dong", "bao nhieu tien"]', "keywords = []"),
                "'keywords' must be a non-empty list",
            ),
            (topic().replace("examples", "exemples"), "unknown field(s) exemples"),
            ("", "no [[topic]] tables"),
            ("[[topic]\n", "not valid TOML"),
        ],
    )
    def test_rejects_a_bad_file_naming_file_and_topic(
        self, tmp_path: Path, body: str, message: str
    ) -> None:
        path = write(tmp_path, body)
        with pytest.raises(TopicsError) as caught:
            KnowledgeBase.load(path)
        assert str(path) in str(caught.value)
        assert message in str(caught.value)

    def test_rejects_another_schema_version(self, tmp_path: Path) -> None:
        with pytest.raises(TopicsError, match="schema_version"):
            KnowledgeBase.load(write(tmp_path, topic(), version=2))

    def test_rejects_a_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(TopicsError, match="cannot read"):
            KnowledgeBase.load(tmp_path / "missing.toml")

    def test_default_path_is_the_repository_data_file(self) -> None:
        path = default_topics_path()
        assert path.parts[-2:] == ("data", "topics.toml")
        assert (path.parent.parent / "bot" / "core" / "knowledge.py").is_file()

    def test_real_file_loads_quickly(self) -> None:
        start = time.perf_counter()
        kb = KnowledgeBase.load(default_topics_path())
        assert time.perf_counter() - start < 1.0
        assert len(kb.topics) == 41


class TestMatch:
    @pytest.mark.parametrize(
        ("message", "topic_id"),
        [
            ("Nhà tôi 5 người mua BHYT hộ gia đình hết bao nhiêu tiền?", "bhyt_hgd_muc_dong"),
            ("the bhyt cua toi het han roi, gia han the nao", "the_gia_han"),
            ("rút bảo hiểm xã hội một lần cần điều kiện gì", "bhxh_mot_lan"),
            ("so hotline cua bhxh la so may", "hotline"),
            ("xin chào", "greeting"),
            ("cảm ơn nhiều nhé", "thanks"),
            ("đừng nhắn tin cho tôi nữa", "stop"),
        ],
    )
    def test_clear_messages_match_confidently(
        self, kb: KnowledgeBase, message: str, topic_id: str
    ) -> None:
        matches = kb.match(message)
        assert matches[0].topic_id == topic_id
        assert kb.is_confident(matches)

    @pytest.mark.parametrize("message", ["asdfgh", "🙂🙂", "", "   ", "hôm nay trời đẹp quá"])
    def test_gibberish_is_not_confident(self, kb: KnowledgeBase, message: str) -> None:
        assert not kb.is_confident(kb.match(message))

    def test_returns_at_most_limit_best_first(self, kb: KnowledgeBase) -> None:
        matches = kb.match("bhyt học sinh bao nhiêu tiền", limit=3)
        assert len(matches) == 3
        assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
        assert len({m.topic_id for m in matches}) == 3
        assert kb.match("bhyt học sinh bao nhiêu tiền", limit=1) == matches[:1]

    @pytest.mark.parametrize(
        ("message", "topic_id"),
        [
            ("luong hu tu ngyen tinh the nao", "bhxh_tn_huu_tri"),
            ("thẻ bhyt điện tữ trên vsid", "the_dien_tu"),
            ("rút bảo hỉem xã hội 1 lần", "bhxh_mot_lan"),
        ],
    )
    def test_typos_and_missing_diacritics_still_match(
        self, kb: KnowledgeBase, message: str, topic_id: str
    ) -> None:
        matches = kb.match(message)
        assert matches[0].topic_id == topic_id
        assert kb.is_confident(matches)

    def test_close_scores_are_not_confident(self, kb: KnowledgeBase) -> None:
        assert not kb.is_confident([Match("a", 1.5), Match("b", 1.45)])
        assert kb.is_confident([Match("a", 1.5), Match("b", 0.5)])
        assert not kb.is_confident([Match("a", 0.5)])
        assert not kb.is_confident([])

    def test_a_match_is_fast(self, kb: KnowledgeBase) -> None:
        message = "Nhà tôi 4 người thì đóng BHYT hộ gia đình bao nhiêu tiền một năm vậy cháu ơi?"
        start = time.perf_counter()
        for _ in range(100):
            kb.match(message)
        assert (time.perf_counter() - start) / 100 < 0.003  # ~0.3 ms measured
