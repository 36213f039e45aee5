"""Short facts (#19.6): one-line questions about a [V]/[V2] fact of domain.md get that fact,
not the nearest general page; the facts file is checked; nothing else is taken for a fact."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot.clock import VIETNAM
from bot.core.dialog import Dialog, Turn
from bot.core.facts import FactBook, FactsError
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.rates import RateBook, default_rates_path
from bot.core.types import Incoming, Kind
from bot.render import Renderer

TODAY = date(2026, 12, 15)


@pytest.fixture(scope="module")
def dialog() -> Dialog:
    return Dialog(KnowledgeBase.load(default_topics_path()), RateBook.load(default_rates_path()))


def reply(dialog: Dialog, text: str, today: date = TODAY) -> str:
    incoming = Incoming("test", "1", Kind.TEXT, text=text, display_name="")
    now = datetime(today.year, today.month, today.day, 9, tzinfo=VIETNAM)
    decision = dialog.decide(Turn(incoming, text, None, False, now, today))
    renderer = Renderer()
    return "\n".join(renderer.render(say).text for say in decision.says)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("từ bao giờ không còn khám trái tuyến nữa", "01/01/2025"),
        ("luật bảo hiểm xã hội 41 áp dụng từ khi nào", "01/07/2025"),
        ("Luật BHYT sửa đổi có hiệu lực ngày nào vậy", "01/07/2025"),
        ("nd 188 ap dung tu ngay nao", "15/08/2025"),
        ("van ban nao quy dinh ve bhxh tu nguyen", "159/2025"),
        ("mã bhxh gồm bao nhiêu chữ số", "10 chữ số"),
        ("trên thẻ ghi HN2 thì số 2 nghĩa là gì", "100%"),
        ("thẻ điện tử mấy ngày thì có", "5 ngày làm việc"),
        ("o sai gon hoc sinh co duoc ho tro bhyt khong", "65 tuổi"),
        ("bao giờ thì được miễn viện phí cơ bản", "2030"),
        ("có được khám sức khỏe miễn phí mỗi năm không", "2026"),
        ("bây giờ còn cấp huyện không", "xã"),
        ("người nghỉ hưu được điều chỉnh tăng lương hưu bao nhiêu", "8%"),
        ("thiếu mấy năm thì được đóng một lần tối đa bao nhiêu năm", "60 tháng"),
        ("chuẩn nghèo từ năm sau là bao nhiêu", "2.200.000"),
        ("đi khám ở trạm y tế phường được trả bao nhiêu phần trăm", "100%"),
        ("nhân viên y tế thôn bản có được nhà nước đóng bhyt không", "50%"),
        ("ho diem nghiep muc song trung binh duoc ho tro bao nhieu", "30%"),
        ("xã tôi không còn là xã khó khăn nữa, người dân tộc còn được đóng bhyt không", "36 tháng"),
        ("mức đóng bhyt tối đa theo luật là mấy phần trăm", "6%"),
    ],
)
def test_a_short_fact_is_answered(dialog: Dialog, text: str, expected: str) -> None:
    assert expected in reply(dialog, text)


def test_the_poverty_line_answer_prices_the_minimum_on_the_rural_line(dialog: Dialog) -> None:
    asked = "ở đô thị chuẩn nghèo cao hơn thì mức đóng tự nguyện thấp nhất có khác không"
    text = reply(dialog, asked)
    assert "484.000" in text
    assert "616.000" not in text


def test_the_rise_is_read_from_the_rates_file(dialog: Dialog) -> None:
    text = reply(dialog, "lương hưu tăng bao nhiêu", today=date(2026, 3, 1))
    assert "8%" not in text
    assert "1900 9068" in text


@pytest.mark.parametrize(
    "text",
    [
        "bệnh viện huyện có nhận thẻ bhyt không",
        "đóng thêm 1 năm thì lương hưu tăng bao nhiêu",
        "nhà 4 người chuẩn nghèo mua bhyt bao nhiêu",
        "thẻ điện tử hết hạn khi nào",
    ],
)
def test_other_questions_are_not_taken_for_a_fact(text: str) -> None:
    found = FactBook.load().asked(text)
    assert found is None, found


def test_every_fact_has_a_template_and_a_source() -> None:
    root = Path(__file__).resolve().parents[2] / "messages" / "vi" / "facts"
    for fact in FactBook.load().facts:
        assert (root / f"{fact.id}.j2").is_file(), fact.id
        assert fact.source


def test_a_broken_facts_file_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "facts.toml"
    path.write_text('schema_version = 1\n[[fact]]\nid = "x"\nsource = "L"\nwhen = [["("]]\n')
    with pytest.raises(FactsError, match="bad pattern"):
        FactBook.load(path)
    path.write_text('schema_version = 1\n[[fact]]\nid = "x"\nwhen = [["a"]]\n')
    with pytest.raises(FactsError, match="source"):
        FactBook.load(path)
