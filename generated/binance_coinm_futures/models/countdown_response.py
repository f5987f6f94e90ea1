from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CountdownResponse")


@_attrs_define
class CountdownResponse:
    """The countdown as the exchange set it. `countdownTime` is a string of milliseconds ("0" when stopped).

    Attributes:
        symbol (str): Trading symbol.
        countdown_time (str): The countdown in milliseconds, as a string.
    """

    symbol: str
    countdown_time: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        symbol = self.symbol

        countdown_time = self.countdown_time

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "symbol": symbol,
                "countdownTime": countdown_time,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        symbol = d.pop("symbol")

        countdown_time = d.pop("countdownTime")

        countdown_response = cls(
            symbol=symbol,
            countdown_time=countdown_time,
        )

        countdown_response.additional_properties = d
        return countdown_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
