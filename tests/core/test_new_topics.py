"""Topics added for issue #19: the base salary itself, casual registration, and questions that
had no topic (a lost card, papers, who runs Loa, VssID, the primary facility, BHXH tự nguyện
and the health card). The dialog picks each for typical wordings, with and without
diacritics, and the rendered answer carries the figures of the rates file."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.clock import VIETNAM
from bot.core.dialog import Dialog, Turn
from bot.core.knowledge import KnowledgeBase, default_topics_path
from bot.core.office import Office
from bot.core.rates import RateBook, default_rates_path
from bot.core.types import Decision, Incoming, Kind
from bot.render import Renderer

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def dialog() -> Dialog:
    return Dialog(KnowledgeBase.load(default_topics_path()), RateBook.load(default_rates_path()))


def ask(dialog: Dialog, text: str, today: date = TODAY) -> Decision:
    incoming = Incoming("test", "1", Kind.TEXT, text=text, display_name="Lan")
    now = datetime(today.year, today.month, today.day, 9, 0, tzinfo=VIETNAM)
    turn = Turn(incoming=incoming, text=text, state=None, stopped=False, now=now, today=today)
    return dialog.decide(turn)


def shown(decision: Decision, renderer: Renderer | None = None) -> str:
    renderer = renderer or Renderer()
    return "\n".join(renderer.render(say).text for say in decision.says)


WORDINGS = [
    ("luong_co_so", "mức lương cơ sở giờ là mấy"),
    ("luong_co_so", "muc luong co so gio la may"),
    ("luong_co_so", "đợt tăng gần nhất là lúc nào"),
    ("luong_co_so", "dot tang gan nhat la luc nao"),
    ("luong_co_so", "lương cơ sở năm ngoái là bao nhiêu"),
    ("luong_co_so", "mức tham chiếu bây giờ bao nhiêu tiền"),
    ("the_dien_tu", "tui lỡ làm mất thẻ bhyt rồi, xin lại ở đâu"),
    ("the_dien_tu", "the bhyt bi rach thi lam lai o dau"),
    ("giay_to", "đi mua bảo hiểm y tế cho cả nhà thì cần mang giấy tờ gì"),
    ("giay_to", "gia han the can giay to gi"),
    ("loa_la_ai", "có phải lừa đảo không vậy"),
    ("loa_la_ai", "loa co phai cua nha nuoc khong hay gia mao"),
    ("vssid", "chỉ tôi cách cài vssid và đăng nhập"),
    ("vssid", "quen mat khau vssid roi"),
    ("doi_noi_kham", "tôi muốn đổi nơi đăng ký khám ban đầu"),
    ("doi_noi_kham", "doi noi dang ky kham ban dau sang tram y te khac"),
    ("bhxh_tn_co_bhyt", "đóng bhxh tự nguyện có kèm thẻ bảo hiểm y tế không"),
    ("bhxh_tn_co_bhyt", "dong bhxh tu nguyen co duoc cap the bhyt ko"),
]


@pytest.mark.parametrize(("topic", "text"), WORDINGS)
def test_the_dialog_picks_the_topic(dialog: Dialog, topic: str, text: str) -> None:
    say = ask(dialog, text).says[-1]  # after the line naming the time asked about, if any
    assert say.template == f"topics/{topic}"


def test_the_base_salary_page_gives_the_value_its_history_and_what_it_drives(
    dialog: Dialog,
) -> None:
    text = shown(ask(dialog, "lương cơ sở hiện nay là bao nhiêu"))
    assert "2.530.000 đồng/tháng, từ 01/07/2026 (NĐ 161/2026/NĐ-CP, Điều 3.2)" in text
    assert "Đợt tăng gần nhất: 01/07/2026, từ 2.340.000 đồng lên 2.530.000 đồng." in text
    assert "• Từ 01/07/2024: 2.340.000 đồng (NĐ 73/2024/NĐ-CP)" in text
    assert "• Từ 01/07/2023: 1.800.000 đồng (NĐ 24/2023/NĐ-CP)" in text
    assert "• Trước 01/07/2023: 1.490.000 đồng" in text
    for figure in (
        "113.850 đồng/tháng, 1.366.200 đồng/năm",  # BHYT 4,5%
        "Trợ cấp mai táng 10 lần: 25.300.000 đồng",
        "dưới 379.500 đồng",  # 15% small visit
        "15.180.000 đồng",  # 6 × co-pay cap
        "50.600.000 đồng/tháng",  # 20 × max voluntary income
        "lương hưu gần nhất: 8% từ 01/07/2026 (NĐ 162/2026/NĐ-CP)",
    ):
        assert figure in text


def test_before_the_rise_the_page_gives_the_old_figures_and_announces_the_new(
    dialog: Dialog,
) -> None:
    text = shown(ask(dialog, "luong co so hien nay la bao nhieu", today=date(2026, 5, 1)))
    assert "2.340.000 đồng/tháng, từ 01/07/2024" in text
    assert "1.263.600 đồng/năm" in text
    assert "23.400.000 đồng" in text
    assert "📅 Từ 01/07/2026, lương cơ sở là 2.530.000 đồng" in text
    assert "📅 Từ 01/07/2026, lương hưu tăng 8%" in text
    assert "lương hưu gần nhất" not in text


CASUAL_REGISTRATION = [
    "alo có ai gọi lại cho mình giùm không",
    "nho can bo o xa nhan tin cho minh voi",
    "nhà mình cần có người tới tận nhà tư vấn",
    "đăng kí dùm bà cái thẻ bhyt",
    "dang ki dum toi voi",
    "muốn làm thẻ mà không biết thủ tục ra sao",
    "muon lam the bhyt ma khong biet thu tuc",
]


@pytest.mark.parametrize("text", CASUAL_REGISTRATION)
def test_registration_said_casually_starts_the_registration(dialog: Dialog, text: str) -> None:
    decision = ask(dialog, text)
    assert decision.says[0].template.startswith("register/")
    assert "Đăng ký" in shown(decision)


def press(dialog: Dialog, payload: str) -> Decision:
    incoming = Incoming("test", "1", Kind.BUTTON, text=payload, display_name="Lan")
    now = datetime(2026, 11, 25, 9, 0, tzinfo=VIETNAM)
    turn = Turn(incoming=incoming, text=payload, state=None, stopped=False, now=now, today=TODAY)
    return dialog.decide(turn)


@pytest.mark.parametrize("topic", ["giay_to", "dong_o_dau"])
def test_pages_about_getting_a_card_offer_registration_first(dialog: Dialog, topic: str) -> None:
    (say,) = press(dialog, f"topic:{topic}").says
    assert say.template == f"topics/{topic}"
    assert say.choices[0].payload == "reg"


def test_other_pages_keep_registration_after_their_follow_ups(dialog: Dialog) -> None:
    (say,) = press(dialog, "topic:bhyt_hgd_muc_dong").says
    assert say.choices[0].payload != "reg"


def test_who_runs_loa_when_the_office_is_not_set(dialog: Dialog) -> None:
    text = shown(ask(dialog, "loa có phải lừa đảo không"))
    assert "Loa là công cụ mã nguồn mở, do cơ quan địa phương vận hành" in text
    assert "không phải ứng dụng của BHXH Việt Nam" in text
    assert "1900 9068" in text


def test_who_runs_loa_names_the_office_from_the_settings(dialog: Dialog) -> None:
    office = Office("UBND xã Tân Phú", "Ấp 2, xã Tân Phú", "0275 3812 345", "tanphu.gov.vn")
    text = shown(ask(dialog, "bot nay cua ai vay"), Renderer(office=office))
    assert "do UBND xã Tân Phú vận hành (Ấp 2, xã Tân Phú)" in text
    assert "Liên hệ UBND xã Tân Phú: 0275 3812 345 tanphu.gov.vn." in text
    assert "mã nguồn mở" not in text
    assert "1900 9068" in text


def test_a_lost_card_page_says_how_to_be_treated_and_where_to_get_it_again(
    dialog: Dialog,
) -> None:
    text = shown(ask(dialog, "mat the bhyt giay roi thi lam sao"))
    assert "chỉ cần cho cơ sở khám biết số thẻ BHYT" in text
    assert "bộ phận một cửa của cơ quan BHXH hoặc điểm thu ở xã" in text
    assert "1900 9068" in text


def test_voluntary_insurance_has_no_health_card_and_the_card_price_is_today_s(
    dialog: Dialog,
) -> None:
    text = shown(ask(dialog, "bhxh tu nguyen co kem the bhyt khong"))
    assert text.startswith("Không.")
    assert "1.366.200 đồng/năm (từ 01/07/2026)" in text


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("cach cai va dang nhap vssid", ("ứng dụng của BHXH Việt Nam", "01/08/2025", "1900 9068")),
        ("doi noi dang ky kham ban dau", ("trạm y tế xã", "100%", "1900 9068")),
        ("mua bhyt ho gia dinh can giay to gi", ("CCCD", "Mẫu số 4", "1900 9068")),
    ],
)
def test_the_how_to_pages_say_only_what_is_known_and_give_the_hotline(
    dialog: Dialog, text: str, facts: tuple[str, ...]
) -> None:
    rendered = shown(ask(dialog, text))
    for fact in facts:
        assert fact in rendered
    assert len(rendered) < 700  # fits a cheap phone's screen


def test_the_pension_page_names_the_latest_pension_rise(dialog: Dialog) -> None:
    (say,) = press(dialog, "topic:bhxh_tn_huu_tri").says
    assert "lương hưu gần nhất: 8% từ 01/07/2026 (NĐ 162/2026/NĐ-CP)" in shown(
        Decision(says=(say,))
    )
    before = ask(dialog, "lương hưu được tính bao nhiêu phần trăm", today=date(2026, 5, 1))
    assert "8%" not in shown(before)


def test_the_hotline_pages_add_the_office_phone_only_when_it_is_set(dialog: Dialog) -> None:
    office = Office(name="UBND xã Tân Phú", phone="0275 3812 345")
    (say,) = press(dialog, "topic:hotline").says
    assert "• UBND xã Tân Phú: 0275 3812 345." in shown(
        Decision(says=(say,)), Renderer(office=office)
    )
    assert "Tân Phú" not in shown(Decision(says=(say,)))
    for template in ("hotline", "topics/hotline"):
        assert "0275 3812 345" in Renderer(office=office).text(template)
