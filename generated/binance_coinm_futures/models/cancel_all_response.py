from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.cancel_all_response_code import CancelAllResponseCode
from ..types import UNSET, Unset

T = TypeVar("T", bound="CancelAllResponse")


@_attrs_define
class CancelAllResponse:
    """The answer of a done cancel-all, e.g. `{"code": 200, "msg": "The operation of cancel all open order is done."}`.
    Here `code` is the integer 200, Binance's success code for this answer (an error's code is negative); it is a
    success only with that code. It does not say which orders were cancelled.

        Attributes:
            code (CancelAllResponseCode): Binance's success code for this answer, the integer 200.
            msg (str | Unset): Binance's words.
    """

    code: CancelAllResponseCode
    msg: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code.value

        msg = self.msg

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
            }
        )
        if msg is not UNSET:
            field_dict["msg"] = msg

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = CancelAllResponseCode(d.pop("code"))

        msg = d.pop("msg", UNSET)

        cancel_all_response = cls(
            code=code,
            msg=msg,
        )

        cancel_all_response.additional_properties = d
        return cancel_all_response

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
