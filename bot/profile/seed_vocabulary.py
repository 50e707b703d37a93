"""What the demo bank draws from: names, employers, merchants, amounts and shares (data, not rules).

Amounts are whole yuan; weights are relative. Merchants and utilities are the
real ones a mainland client meets; employers are made up.
"""
from __future__ import annotations

from typing import Dict, Tuple

__all__ = [
    "TIER_TARGETS", "TIER_WEIGHTS", "SALARY", "SPEND_SCALE", "CREDIT_LIMIT", "ANNUAL_RETURN_BP",
    "RISK_WEIGHTS", "AGE_WEIGHTS", "GIVEN_MALE", "GIVEN_FEMALE", "GIVEN_MALE_2", "GIVEN_FEMALE_2",
    "EMPLOYER_CITIES", "EMPLOYER_BRANDS", "EMPLOYER_TRADES", "SPENDING", "ONLINE_MERCHANTS",
    "ONLINE_CHANNELS", "IN_STORE_CHANNELS", "GAS", "POWER", "TELECOMS", "LANDLORDS", "PHONE_PREFIXES",
]

# AUM drawn log-uniformly inside each tier's band, away from its edges
TIER_TARGETS: Dict[str, Tuple[int, int]] = {
    "金卡": (560_000, 1_800_000), "白金": (2_300_000, 5_400_000),
    "钻石": (6_800_000, 27_000_000), "私人银行": (34_000_000, 150_000_000),
}
TIER_WEIGHTS = (("金卡", 50), ("白金", 30), ("钻石", 14), ("私人银行", 6))
SALARY = {"金卡": (15_000, 45_000), "白金": (30_000, 90_000), "钻石": (50_000, 200_000),
          "私人银行": (100_000, 400_000)}  # monthly, before tax is irrelevant here
SPEND_SCALE = {"金卡": 1, "白金": 2, "钻石": 3, "私人银行": 4}
CREDIT_LIMIT = {"金卡": (50_000, 100_000), "白金": (100_000, 200_000), "钻石": (200_000, 500_000),
                "私人银行": (500_000, 1_000_000)}
# yearly return by product risk, in basis points
ANNUAL_RETURN_BP = {"R1": (150, 260), "R2": (180, 350), "R3": (-400, 800), "R4": (-1800, 2500),
                    "R5": (-3000, 4000)}
RISK_WEIGHTS = (("C1", 6), ("C2", 20), ("C3", 38), ("C4", 25), ("C5", 11))
AGE_WEIGHTS = (("18-29", 8), ("30-44", 35), ("45-59", 37), ("60-69", 13), ("70+", 7))

GIVEN_MALE = "伟强磊军洋勇杰涛明超斌鹏辉华刚健峰宇浩凯翔博文俊鑫晨阳毅"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞婷雪琳晶颖慧倩佳琪欣怡雯蕾璐萍红玲"
# two-character given names; the first half are the ones older clients carry
GIVEN_MALE_2 = ("建国", "志强", "建华", "国庆", "海涛", "振华", "立新", "德明", "永康", "明辉", "晓东",
                "俊杰", "浩然", "子轩", "宇航", "文博", "家豪", "嘉诚", "天宇", "思远", "一帆", "泽宇")
GIVEN_FEMALE_2 = ("秀英", "桂英", "丽华", "淑珍", "玉兰", "桂兰", "淑芬", "美玲", "晓燕", "慧敏", "晓雯",
                  "欣怡", "梓涵", "诗涵", "雨桐", "佳怡", "思琪", "雅婷", "静怡", "婉清", "若曦", "心怡")
EMPLOYER_CITIES = ("上海", "北京", "深圳", "广州", "杭州")
EMPLOYER_BRANDS = ("瑞景", "恒远", "博达", "启明", "凌云", "嘉和", "中创", "远航", "天衡", "蓝湾",
                   "鼎泰", "汇川", "星河", "云帆", "金穗", "长风")
EMPLOYER_TRADES = ("科技", "信息技术", "医药", "贸易", "建设工程", "咨询", "电子", "新材料", "物流",
                   "文化传媒", "智能制造", "投资管理")

# category, merchants, (low, high) yuan, weight, description
SPENDING: Tuple[Tuple[str, Tuple[str, ...], Tuple[int, int], int, str], ...] = (
    ("餐饮", ("美团外卖", "饿了么", "星巴克", "瑞幸咖啡", "海底捞", "喜茶", "肯德基", "西贝莜面村", "大众点评"),
     (18, 600), 30, "餐饮消费"),
    ("购物", ("京东", "淘宝", "天猫", "拼多多", "苏宁易购", "优衣库", "屈臣氏", "无印良品", "Apple Store"),
     (60, 3500), 20, "购物消费"),
    ("生鲜超市", ("盒马", "永辉超市", "山姆会员店", "叮咚买菜", "沃尔玛", "物美"), (40, 1200), 18, "超市消费"),
    ("交通出行", ("滴滴出行", "高德打车", "中国石化", "中国石油", "12306铁路"), (15, 900), 14, "出行消费"),
    ("旅游出行", ("携程旅行", "飞猪", "中国国际航空", "东方航空", "南方航空", "华住会"), (400, 12000), 4,
     "旅行消费"),
    ("娱乐", ("爱奇艺", "腾讯视频", "猫眼电影", "网易云音乐"), (15, 400), 6, "娱乐消费"),
    ("医疗", ("老百姓大药房", "大参林药房", "和睦家医院"), (30, 2000), 4, "医疗消费"),
    ("教育", ("新东方", "学而思", "得到"), (200, 8000), 2, "教育消费"),
)
ONLINE_MERCHANTS = frozenset((
    "美团外卖", "饿了么", "大众点评", "京东", "淘宝", "天猫", "拼多多", "苏宁易购", "叮咚买菜", "滴滴出行",
    "高德打车", "12306铁路", "携程旅行", "飞猪", "爱奇艺", "腾讯视频", "猫眼电影", "网易云音乐", "得到",
))
ONLINE_CHANNELS = ("微信支付", "支付宝", "快捷支付")
IN_STORE_CHANNELS = ("POS", "POS", "微信支付", "支付宝")
GAS = {"上海": "上海燃气", "北京": "北京燃气", "深圳": "深圳燃气", "广州": "广州燃气"}
POWER = {"深圳": "南方电网", "广州": "南方电网"}  # elsewhere: 国家电网
TELECOMS = ("中国移动", "中国联通", "中国电信")
LANDLORDS = ("自如", "链家", "贝壳找房")
PHONE_PREFIXES = ("138", "139", "136", "135", "137", "150", "151", "152", "158", "159", "182", "183", "187",
                  "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "181", "189",
                  "177", "199")
