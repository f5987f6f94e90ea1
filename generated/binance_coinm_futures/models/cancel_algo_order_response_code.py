from enum import StrEnum


class CancelAlgoOrderResponseCode(StrEnum):
    VALUE_0 = "200"

    def __str__(self) -> str:
        return str(self.value)
