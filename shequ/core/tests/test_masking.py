"""Phone numbers in free text are masked however they are written (issue #9, finding 10)."""

import pytest

from shequ.core.masking import mask_text


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("电话13812345678", "电话138****5678"),
        ("138-1234-5678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138.1234.5678", "138****5678"),
        ("8613812345678", "86138****5678"),
        ("+86 138 1234 5678", "+86 138****5678"),
        ("+8613812345678", "+86138****5678"),
        ("0086-138-1234-5678", "0086-138****5678"),
        ("打１３８１２３４５６７８找我", "打138****5678找我"),
        ("１３８－１２３４－５６７８", "138****5678"),
    ],
)
def test_every_way_of_writing_a_mobile_is_masked(written, shown):
    assert mask_text(written) == shown
    assert "1234" not in mask_text(written)


def test_other_numbers_are_left_alone():
    assert mask_text("3号楼501室，共12345户") == "3号楼501室，共12345户"
    assert mask_text("身份证110101199001011234") == "身份证110***********1234"
    assert mask_text("座机010-62345678") == "座机010-****5678"
