"""Write a realistic resident list CSV: python bench/gen_residents.py N OUT.csv [--seed S].

UTF-8 with BOM (what Excel writes for "CSV UTF-8"), a title row above the header, Vietnamese
names with diacritics, communes and villages, phones typed in several styles, birth dates
and expiry dates around a fixed reference day. About 1% of rows carry a typical mistake
(bad date, invalid phone, number with a letter), so the parse exercises its error paths.
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

__all__ = ["REFERENCE_DAY", "write_residents"]

REFERENCE_DAY = date(2026, 11, 25)
HEADER = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Mã số BHXH",
    "Số CCCD",
    "Số điện thoại",
    "Thôn/Tổ",
    "Xã/Phường",
    "Hạn thẻ",
    "Mã hộ",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
SURNAMES += ["Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "H'Niê", "Y", "Ksor", "Rơ Châm"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Xuân", ""]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hằng", "Hiếu", "Hoa", "Hùng", "Hương"]
GIVEN += ["Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Ngọc", "Phúc", "Phương"]
GIVEN += ["Quân", "Sơn", "Tâm", "Thảo", "Thủy", "Trang", "Tuấn", "Uyên", "Việt", "Yến"]
COMMUNES = ["Xã Hòa Vang", "Phường Hải Châu", "Xã Núi Thành", "Đặc khu Phú Quốc", "Xã Ea H'Leo"]
COMMUNES += ["Phường Buôn Ma Thuột", "Xã Tam Nông", "Xã Mường Khương", "Phường Sa Đéc"]
VILLAGES = ["Thôn {n}", "Thôn {n:02d}", "Tổ dân phố {n}", "Ấp Phú Hòa {n}", "Bản Na {n}"]
VILLAGES += ["Buôn Ea {n}", "Khu phố {n}", "TDP {n}", "Xóm {n}"]
MOBILE_PREFIXES = ["090", "091", "093", "094", "096", "097", "098", "032", "035", "070", "077"]
MOBILE_PREFIXES += ["081", "083", "085", "088", "056", "058", "086", "039", "079"]


def _phone(rng: random.Random) -> str:
    """Return a phone number typed in one of the styles officers use."""
    local = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
    style = rng.randrange(6)
    if style == 0:
        return f"{local[:4]} {local[4:7]} {local[7:]}"
    if style == 1:
        return f"{local[:4]}.{local[4:7]}.{local[7:]}"
    if style == 2:
        return f"+84 {local[1:4]} {local[4:7]} {local[7:]}"
    if style == 3:
        return f"(0236) 3{rng.randrange(10**6):06d}"
    if style == 4:
        return ""
    return local


def _row(index: int, rng: random.Random) -> list[str]:
    """Return one resident row (index counts from 1), sometimes with a typical mistake."""
    middle = rng.choice(MIDDLE)
    name = " ".join(p for p in (rng.choice(SURNAMES), middle, rng.choice(GIVEN)) if p)
    born = REFERENCE_DAY - timedelta(days=rng.randrange(365 * 90))
    expiry = REFERENCE_DAY + timedelta(days=rng.randrange(-200, 400))
    province = rng.randrange(1, 97)
    bhxh = f"{province:02d}{index:08d}"
    cccd = f"{province:03d}{rng.randrange(10)}{born.year % 100:02d}{index:06d}"
    row = [
        str(index),
        name,
        f"{born:%d/%m/%Y}",
        "Nữ" if middle == "Thị" or rng.random() < 0.4 else "Nam",
        bhxh,
        cccd,
        _phone(rng),
        rng.choice(VILLAGES).format(n=rng.randrange(1, 15)),
        rng.choice(COMMUNES),
        f"{expiry:%d/%m/%Y}",
        f"HGD{index // 4:07d}",
    ]
    mistake = rng.randrange(300)
    if mistake == 0:
        row[9] = f"31/02/{expiry.year}"
    elif mistake == 1:
        row[6] = "0905 123"
    elif mistake == 2:
        row[4] = bhxh[:5] + "O" + bhxh[6:]
    return row


def write_residents(count: int, out: Path, *, seed: int = 1) -> None:
    """Write `count` resident rows with a title row and header to `out` (UTF-8 with BOM)."""
    rng = random.Random(seed)
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["DANH SÁCH NGƯỜI THAM GIA BHYT HỘ GIA ĐÌNH"] + [""] * 10)
        writer.writerow(HEADER)
        for index in range(1, count + 1):
            writer.writerow(_row(index, rng))


def main() -> None:
    """Parse the command line and write the file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of resident rows")
    parser.add_argument("out", type=Path, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args()
    write_residents(args.count, args.out, seed=args.seed)


if __name__ == "__main__":
    main()
