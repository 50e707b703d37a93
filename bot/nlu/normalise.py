"""Text normalisation for the NLU: one pure function, :func:`normalise`.

What a client types is rewritten into one canonical form before tokenisation,
so that the model sees the same text for 帳戶餘額 / 账户余额 / 賬戶結餘,
ＡＰＰ / app and 五十万元 / 500000元. Every step keeps an alignment from each
character of the normalised text back to the span of the original text it came
from, so entities found on the normalised text are reported on the original.

Steps, in order:
1. control characters removed, emoji and other pictographs turned into spaces;
2. full-width ASCII and the ideographic space turned into half-width;
3. Cantonese colloquial words (係, 唔, 幾多 …) into Mandarin;
4. Traditional into Simplified with OpenCC (phrase level), then mainland
   banking usage (帐户 → 账户, 户口 → 账户 …);
5. Latin letters case-folded;
6. Chinese numerals in amounts into digits with cn2an (五十万元 → 500000元);
7. runs of whitespace folded into one space, ends stripped.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Iterable, List, Sequence, Tuple

import cn2an
import opencc

__all__ = ["Script", "Normalised", "normalise", "detect_script"]


class Script(str, Enum):
    """The script a message was written in, as far as its characters tell."""

    SIMPLIFIED = "simplified"
    TRADITIONAL = "traditional"
    UNKNOWN = "unknown"  # no Chinese character that differs between scripts


@dataclass(frozen=True)
class Normalised:
    """A normalised text with its alignment to the original.

    ``starts[i]``/``ends[i]`` give the span of ``original`` that produced
    character ``i`` of ``text``.
    """

    original: str
    text: str
    starts: Tuple[int, ...]
    ends: Tuple[int, ...]
    script: Script

    def original_span(self, start: int, end: int) -> Tuple[int, int]:
        """Maps the span ``[start, end)`` of ``text`` onto ``original``."""
        if not self.text or end <= start:
            anchor = self.starts[start] if start < len(self.starts) else len(self.original)
            return anchor, anchor
        start = max(0, min(start, len(self.text) - 1))
        end = max(start + 1, min(end, len(self.text)))
        return self.starts[start], self.ends[end - 1]


# --- alignment helper -------------------------------------------------------


@dataclass(frozen=True)
class _Aligned:
    text: str
    starts: Tuple[int, ...]
    ends: Tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> "_Aligned":
        return cls(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))

    def replace(self, edits: Iterable[Tuple[int, int, str]]) -> "_Aligned":
        """Applies non-overlapping ``(start, end, replacement)`` edits, in order."""
        text: List[str] = []
        starts: List[int] = []
        ends: List[int] = []
        position = 0
        for start, end, replacement in edits:
            text.append(self.text[position:start])
            starts.extend(self.starts[position:start])
            ends.extend(self.ends[position:start])
            span_start = self.starts[start] if start < end else self._anchor(start)
            span_end = self.ends[end - 1] if start < end else span_start
            if len(replacement) == end - start:
                # one character for one: keep the finer alignment
                starts.extend(self.starts[start:end])
                ends.extend(self.ends[start:end])
            else:
                starts.extend([span_start] * len(replacement))
                ends.extend([span_end] * len(replacement))
            text.append(replacement)
            position = end
        text.append(self.text[position:])
        starts.extend(self.starts[position:])
        ends.extend(self.ends[position:])
        return _Aligned("".join(text), tuple(starts), tuple(ends))

    def _anchor(self, index: int) -> int:
        if index < len(self.starts):
            return self.starts[index]
        return self.ends[-1] if self.ends else 0

    def sub(self, pattern: "re.Pattern[str]", replace: "callable") -> "_Aligned":  # type: ignore[valid-type]
        edits = []
        for match in pattern.finditer(self.text):
            replacement = replace(match)
            if replacement != match.group(0):
                edits.append((match.start(), match.end(), replacement))
        return self.replace(edits) if edits else self

    def map_chars(self, convert: "callable") -> "_Aligned":  # type: ignore[valid-type]
        """Converts character by character (1:1 where the result is one char)."""
        edits = []
        for index, char in enumerate(self.text):
            converted = convert(char)
            if converted != char:
                edits.append((index, index + 1, converted))
        return self.replace(edits) if edits else self


# --- the steps --------------------------------------------------------------

_KEEP_CONTROL = {"\n", "\t"}


def _is_pictograph(char: str) -> bool:
    code = ord(char)
    if 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or 0x1F900 <= code <= 0x1F9FF:
        return True
    if code in (0x200D, 0xFE0F, 0xFE0E, 0x20E3):  # joiners and variation selectors
        return True
    category = unicodedata.category(char)
    return category == "So" or category == "Cs"


def _clean_char(char: str) -> str:
    category = unicodedata.category(char)
    if char in _KEEP_CONTROL:
        return " "
    if category in ("Cc", "Cf") and char not in ("\u200d",):
        return ""
    if _is_pictograph(char):
        return " "
    return char


def _half_width(char: str) -> str:
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if code == 0x3000:
        return " "
    return char


# Cantonese colloquial → Mandarin, applied on the original characters (OpenCC
# would turn 係 into 系). Longest first so that 幾多 wins over 幾.
_CANTONESE = {
    "幾多": "多少", "几多": "多少", "點樣": "怎样", "点样": "怎样", "乜嘢": "什么",
    "咩嘢": "什么", "邊度": "哪里", "边度": "哪里", "而家": "现在", "唔該": "谢谢",
    "唔该": "谢谢", "多謝": "谢谢", "冇": "没", "係": "是", "系咪": "是不是",
    "係咪": "是不是", "唔": "不", "咗": "了", "嘅": "的", "喺": "在", "搵": "找",
    "畀": "给", "俾": "给", "睇": "看", "佢": "他", "嗰": "那", "啲": "些",
    "咁": "这么", "乜": "什么", "咩": "什么", "嚟": "来", "攞": "拿", "唞": "休息",
}

# Mainland banking usage after OpenCC (it keeps 帐户, mainland banks write 账户).
_MAINLAND_USAGE = {
    "帐户": "账户", "帐号": "账号", "帐单": "账单", "转帐": "转账", "对帐": "对账",
    "户口": "账户", "结余": "余额", "网路": "网络", "登入": "登录", "讯息": "信息",
    "透过": "通过", "储蓄户口": "储蓄账户", "柜台": "柜台", "柜位": "柜台",
    "营业员": "柜员", "理专": "理财经理", "银码": "金额", "提款卡": "储蓄卡",
}


def _alternation(words: Iterable[str]) -> "re.Pattern[str]":
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in ordered))


_CANTONESE_RE = _alternation(_CANTONESE)
_MAINLAND_RE = _alternation(_MAINLAND_USAGE)


@lru_cache(maxsize=1)
def _t2s() -> "opencc.OpenCC":
    return opencc.OpenCC("t2s")


def _to_simplified(aligned: _Aligned) -> _Aligned:
    converted = _t2s().convert(aligned.text)
    if len(converted) == len(aligned.text):
        edits = [
            (index, index + 1, new)
            for index, (old, new) in enumerate(zip(aligned.text, converted))
            if old != new
        ]
        return aligned.replace(edits) if edits else aligned
    # a phrase changed length: fall back to character-level conversion
    return aligned.map_chars(lambda char: _t2s().convert(char))


def _fold_case(char: str) -> str:
    return char.lower() if "A" <= char <= "Z" else char


_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_CURRENCY_WORDS = (
    "元|块|圆|美元|美金|美刀|港币|港元|欧元|日元|英镑|澳元|加元|人民币|新加坡元|瑞士法郎"
)
# A Chinese numeral counts as an amount when a currency word follows it, or
# when it carries a 万/亿 magnitude and at least one more numeral character.
_CN_AMOUNT_RE = re.compile(
    rf"(?<![{_CN_DIGITS}])([{_CN_DIGITS}]+(?:点[{_CN_DIGITS}]+)?)(?=(?:{_CURRENCY_WORDS}))"
    rf"|(?<![{_CN_DIGITS}千])([一二两三四五六七八九十百千]+[万亿][{_CN_DIGITS}]*)"
)


def _numeral_to_digits(match: "re.Match[str]") -> str:
    numeral = match.group(0)
    if numeral in ("万", "亿"):
        return numeral
    try:
        value = cn2an.cn2an(numeral, "smart")
    except (ValueError, KeyError, IndexError):
        return numeral
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


_WHITESPACE_RE = re.compile(r"\s+")


def _fold_whitespace(aligned: _Aligned) -> _Aligned:
    folded = aligned.sub(_WHITESPACE_RE, lambda match: " ")
    leading = len(folded.text) - len(folded.text.lstrip(" "))
    trailing = len(folded.text) - len(folded.text.rstrip(" "))
    edits = []
    if leading:
        edits.append((0, leading, ""))
    if trailing and trailing < len(folded.text):
        edits.append((len(folded.text) - trailing, len(folded.text), ""))
    return folded.replace(edits) if edits else folded


def detect_script(text: str) -> Script:
    """Tells Traditional from Simplified by what OpenCC would change."""
    has_chinese = False
    for char in text:
        if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
            has_chinese = True
            if _t2s().convert(char) != char:
                return Script.TRADITIONAL
    if not has_chinese:
        return Script.UNKNOWN
    # Simplified only when some character would differ in Traditional
    simplified_only = any(_s2t().convert(char) != char for char in text)
    return Script.SIMPLIFIED if simplified_only else Script.UNKNOWN


@lru_cache(maxsize=1)
def _s2t() -> "opencc.OpenCC":
    return opencc.OpenCC("s2t")


def normalise(original: str) -> Normalised:
    """Normalises one message; see the module docstring for the steps."""
    aligned = _Aligned.of(original)
    aligned = aligned.map_chars(_clean_char)
    aligned = aligned.map_chars(_half_width)
    script = detect_script(aligned.text)
    aligned = aligned.sub(_CANTONESE_RE, lambda match: _CANTONESE[match.group(0)])
    aligned = _to_simplified(aligned)
    aligned = aligned.sub(_MAINLAND_RE, lambda match: _MAINLAND_USAGE[match.group(0)])
    aligned = aligned.map_chars(_fold_case)
    aligned = aligned.sub(_CN_AMOUNT_RE, _numeral_to_digits)
    aligned = _fold_whitespace(aligned)
    return Normalised(original, aligned.text, aligned.starts, aligned.ends, script)


def normalise_many(texts: Sequence[str]) -> List[Normalised]:
    return [normalise(text) for text in texts]
