"""model.direct_init: a frozen, slotted dataclass with a faster __init__ is still that dataclass."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from tidings.model import Enclosure, ParsedEntry, direct_init


@dataclasses.dataclass(frozen=True, slots=True)
class Plain:
    name: str
    count: int = 0
    tags: tuple[str, ...] = ()


@direct_init
@dataclasses.dataclass(frozen=True, slots=True)
class Direct:
    name: str
    count: int = 0
    tags: tuple[str, ...] = ()


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (("a",), {}),
        (("a", 2), {}),
        (("a",), {"tags": ("x",)}),
        ((), {"name": "a", "count": 3, "tags": ("x", "y")}),
    ],
)
def test_the_same_fields_as_the_dataclass_s_own_init(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    direct, plain = Direct(*args, **kwargs), Plain(*args, **kwargs)  # type: ignore[arg-type]
    assert dataclasses.astuple(direct) == dataclasses.astuple(plain)


def test_still_a_frozen_dataclass() -> None:
    one = Direct("a", 1, ("x",))
    assert one == Direct("a", 1, ("x",)) and hash(one) == hash(Direct("a", 1, ("x",)))
    assert one != Direct("a", 2, ("x",))
    assert repr(one) == "Direct(name='a', count=1, tags=('x',))"
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.count = 2  # type: ignore[misc]
    assert dataclasses.replace(one, count=5) == Direct("a", 5, ("x",))
    assert pickle.loads(pickle.dumps(one)) == one


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((), {}), (("a", 1, (), 4), {}), (("a",), {"size": 1}), (("a",), {"name": "b"})],
)
def test_wrong_arguments_are_refused_as_python_refuses_them(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    with pytest.raises(TypeError):
        Direct(*args, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Plain(*args, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "field",
    [
        dataclasses.field(default_factory=list),
        dataclasses.field(default=0, init=False),
        dataclasses.field(default=0, kw_only=True),
    ],
)
def test_a_field_it_cannot_build_is_refused_when_the_class_is_made(field: object) -> None:
    with pytest.raises(TypeError, match="direct_init"):

        @direct_init
        @dataclasses.dataclass(frozen=True, slots=True)
        class Odd:
            value: object = field


def test_the_parser_s_records_use_it() -> None:
    entry = ParsedEntry(id="1", title="t", enclosures=(Enclosure("https://e.org/a.mp3"),))
    assert entry.link is None and entry.enclosures[0].length is None
