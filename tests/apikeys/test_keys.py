"""The key format: generation, parsing and checksum (apikeys.keys, pure)."""

from __future__ import annotations

import string

import pytest

from apikeys import keys


def make(environment: str = "live") -> str:
    return keys.generate_key(environment, keys.generate_lookup_id())


@pytest.mark.parametrize("environment", ["live", "test"])
def test_a_generated_key_has_the_documented_shape(environment: keys.Environment) -> None:
    raw = make(environment)

    assert raw.startswith(f"clipia_{environment}_")
    body = raw[len(f"clipia_{environment}_") :]
    assert len(body) == 50
    assert set(body) <= set(string.ascii_letters + string.digits)
    assert len(raw) == keys.KEY_LENGTH


def test_a_generated_key_parses_back_to_its_parts() -> None:
    lookup_id = keys.generate_lookup_id()
    raw = keys.generate_key("test", lookup_id)

    parsed = keys.parse_key(raw)

    assert parsed is not None
    assert parsed.environment == "test"
    assert parsed.lookup_id == lookup_id
    assert parsed.display_prefix == f"clipia_test_{lookup_id}"


def test_keys_are_unique_and_secrets_carry_at_least_160_bits() -> None:
    generated = {make() for _ in range(200)}

    assert len(generated) == 200
    # 32 base62 characters: log2(62) * 32 ≈ 190.5 bits.
    assert keys.SECRET_LENGTH * 5.954 >= 160


def test_the_parsed_key_never_shows_its_secret_in_repr() -> None:
    raw = make()

    parsed = keys.parse_key(raw)

    assert parsed is not None
    assert raw not in repr(parsed)
    assert raw[len("clipia_live_") + 12 : -6] not in repr(parsed)


def _mutations(raw: str) -> list[str]:
    """Small mistakes a person or a copy-paste makes."""
    flipped_char = "A" if raw[30] != "A" else "B"
    return [
        raw[:-1],  # truncated
        raw + "x",  # padded
        raw[1:],  # lost the first character
        " " + raw,
        raw[:30] + flipped_char + raw[31:],  # one typo in the secret
        raw[:-1] + ("0" if raw[-1] != "0" else "1"),  # wrong checksum digit
        raw.replace("clipia_live_", "clipia_prod_"),
        raw.replace("clipia_live_", "CLIPIA_LIVE_"),
        raw.replace("clipia_live_", "clipia_live-"),
        raw[:40] + "-" + raw[41:],  # non-base62 character
        raw[:40] + "é" + raw[41:],
        raw[:12] + raw[13:] + "0",  # shifted body, same length
        "",
        "clipia_live_",
    ]


@pytest.mark.parametrize("index", range(14))
def test_it_refuses_small_mutations_of_a_good_key(index: int) -> None:
    raw = make("live")

    assert keys.parse_key(_mutations(raw)[index]) is None


def test_the_checksum_is_six_base62_digits_of_crc32() -> None:
    import zlib

    value = keys.checksum("clipia_live_x")

    assert len(value) == 6
    number = 0
    for char in value:
        number = number * 62 + keys.BASE62_ALPHABET.index(char)
    assert number == zlib.crc32(b"clipia_live_x")


def test_it_refuses_to_generate_for_an_unknown_environment() -> None:
    with pytest.raises(ValueError):
        keys.generate_key("prod", keys.generate_lookup_id())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("clipia_live_4f9Kq2XbLm0Z…", "4f9Kq2XbLm0Z"),
        ("see clipia_test_4f9Kq2XbLm0Z in the logs", "4f9Kq2XbLm0Z"),
        ("clipia_live_4f9K", "4f9K"),  # a partial prefix searches what there is
        ("4f9Kq2XbLm0Z", None),
        ("clipia_prod_4f9Kq2XbLm0Z", None),
    ],
)
def test_it_finds_the_lookup_id_in_pasted_text(text: str, expected: str | None) -> None:
    assert keys.lookup_id_in(text) == expected


def test_the_lookup_id_of_a_whole_key_is_its_public_part_only() -> None:
    lookup_id = keys.generate_lookup_id()

    assert keys.lookup_id_in(keys.generate_key("live", lookup_id)) == lookup_id
