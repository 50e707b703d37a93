"""What a complaint message says about itself: its category, how severe it is, and
whether it already tells what happened.

Pure, typed functions over the client's words in either script (read through
:func:`bot.nlu.normalise.normalise`). Severity is high when the client
threatens to go to a regulator or the media (监管, 12378, 举报, 媒体), writes
in strongly negative words, or describes possible fraud; a high-severity
complaint is flagged for a person (the handoff routes it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Optional, Tuple

from bot.cases.types import CATEGORIES
from bot.nlu.normalise import normalise

__all__ = ["CATEGORIES", "Severity", "Alarm", "ComplaintReading", "read_complaint", "tells_what_happened"]

# the first category whose words appear wins; fraud first: it is the most urgent reading
_CATEGORY_WORDS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("card_fraud", ("盗刷", "被盗", "诈骗", "被骗", "不是我刷", "不是我本人", "不是我消费", "陌生交易", "莫名其妙的消费",
                    "不认识的交易", "没刷过", "被人刷")),
    ("mis_selling", ("误导", "没说风险", "没有告知风险", "没提示风险", "不告诉我风险", "强制搭售", "搭售", "捆绑销售",
                     "骗我买", "忽悠我买", "说保本", "承诺保本", "说是存款", "风险没讲", "销售误导", "夸大收益")),
    ("fees", ("手续费", "年费", "管理费", "服务费", "扣费", "乱扣", "扣了我", "多扣", "收费", "扣款", "费用", "小额账户",
              "账户管理费", "短信费", "违约金", "利息算错", "滞纳金")),
    ("payment_delay", ("没到账", "未到账", "还没到", "到账慢", "迟迟", "延迟", "转账失败", "汇款没到", "退款没到",
                       "款还没", "卡在途中", "一直在处理", "处理中好几天")),
    ("app_fault", ("app", "闪退", "打不开", "登录不了", "登不上", "登陆不了", "系统故障", "系统问题", "网银", "手机银行",
                   "验证码收不到", "收不到验证码", "页面", "卡死", "bug", "白屏")),
    ("service_attitude", ("态度", "不耐烦", "爱答不理", "不理人", "骂人", "凶", "敷衍", "推诿", "踢皮球", "排队",
                          "等了很久", "等了半天", "服务差", "服务太差", "没人管", "没人理", "柜员", "大堂经理", "客服")),
)
_REGULATOR_WORDS = ("监管", "银保监", "金融监管", "12378", "人民银行", "举报", "媒体", "曝光", "记者", "315晚会",
                    "律师", "起诉", "法院", "仲裁", "报警", "公安", "消协", "市长热线")
_STRONG_WORDS = ("骗子", "无耻", "垃圾", "恶心", "气死", "忍无可忍", "欺诈", "坑人", "黑心", "流氓", "太过分",
                 "什么破银行", "强烈不满", "非常愤怒", "愤怒", "欺负", "坑钱", "吸血", "再也不")
_REPEATED_PUNCTUATION = re.compile(r"[!?]{3,}")
# words that only say "I am complaining", not what happened
_BOILERPLATE = re.compile(
    r"(我|本人)?(要|想|想要|需要|准备)?(投诉|反映|反馈|提意见|意见)(一下|一下子)?|怎么|如何|哪里|你们|银行|"
    r"我|要|想|的|了|吗|呢|啊|吧|呀|一下|有个|问题|事情|请问|麻烦|帮我|处理|[,.!?;:、\s]"
)
_DETAIL_CHARS = 4  # what is left after the boilerplate: enough to say what happened


class Severity(str, Enum):
    NORMAL = "normal"
    HIGH = "high"


class Alarm(str, Enum):
    """Why a complaint is high severity."""

    REGULATOR = "regulator"  # threatens a regulator, the media or the courts
    STRONG_WORDING = "strong_wording"
    FRAUD = "fraud"


@dataclass(frozen=True)
class ComplaintReading:
    category: Optional[str]  # None: not clear from the text, ask
    severity: Severity
    alarms: Tuple[Alarm, ...]


def _view(text: str) -> str:
    return normalise(text or "").text.replace(" ", "")


def read_complaint(*texts: str) -> ComplaintReading:
    """Reads the category and severity from everything the client wrote about the complaint."""
    view = "".join(_view(text) for text in texts)
    category = next((name for name, words in _CATEGORY_WORDS if any(word in view for word in words)), None)
    alarms = []
    if any(word in view for word in _REGULATOR_WORDS):
        alarms.append(Alarm.REGULATOR)
    if any(word in view for word in _STRONG_WORDS) or _REPEATED_PUNCTUATION.search(view):
        alarms.append(Alarm.STRONG_WORDING)
    if category == "card_fraud":
        alarms.append(Alarm.FRAUD)
    return ComplaintReading(category, Severity.HIGH if alarms else Severity.NORMAL, tuple(alarms))


def tells_what_happened(text: str) -> bool:
    """Whether a message says more than "I want to complain" (then it is the description)."""
    return len(_BOILERPLATE.sub("", _view(text))) >= _DETAIL_CHARS
