from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.cancel_algo_order_response_code import CancelAlgoOrderResponseCode
from ..types import UNSET, Unset

T = TypeVar("T", bound="CancelAlgoOrderResponse")


@_attrs_define
class CancelAlgoOrderResponse:
    """The answer of a done algo cancel: the ids of the cancelled order and `code` "200" (a string: Binance's success code
    here, unlike the negative integer of an error). It is a success only with that code and the ids the request named
    (see `x-binance-echo`). Shape from USDⓈ-M's Cancel Algo Order page; unverified for COIN-M.

        Attributes:
            algo_id (int): The algo order's id.
            client_algo_id (str): The algo order's client id.
            code (CancelAlgoOrderResponseCode): Binance's success code for this answer, the string "200".
            msg (str | Unset): Binance's words, e.g. "success".
    """

    algo_id: int
    client_algo_id: str
    code: CancelAlgoOrderResponseCode
    msg: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        algo_id = self.algo_id

        client_algo_id = self.client_algo_id

        code = self.code.value

        msg = self.msg

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "algoId": algo_id,
                "clientAlgoId": client_algo_id,
                "code": code,
            }
        )
        if msg is not UNSET:
            field_dict["msg"] = msg

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        algo_id = d.pop("algoId")

        client_algo_id = d.pop("clientAlgoId")

        code = CancelAlgoOrderResponseCode(d.pop("code"))

        msg = d.pop("msg", UNSET)

        cancel_algo_order_response = cls(
            algo_id=algo_id,
            client_algo_id=client_algo_id,
            code=code,
            msg=msg,
        )

        cancel_algo_order_response.additional_properties = d
        return cancel_algo_order_response

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
