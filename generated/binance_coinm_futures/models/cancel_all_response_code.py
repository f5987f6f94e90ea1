from enum import IntEnum


class CancelAllResponseCode(IntEnum):
    VALUE_200 = 200

    def __str__(self) -> str:
        return str(self.value)
