"""The linear intent model: same probabilities as scikit-learn, after a save and load."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.linear_intent import LinearIntentModel, blend_rankings

EXAMPLES = [
    (["查", "一下", "余额"], "查一下余额", "check_balance"),
    (["我", "卡", "里", "还有", "多少", "钱"], "我卡里还有多少钱", "check_balance"),
    (["账户", "余额", "多少"], "账户余额多少", "check_balance"),
    (["卡", "丢", "了"], "卡丢了", "report_card_loss"),
    (["银行卡", "不见", "了", "怎么办"], "银行卡不见了怎么办", "report_card_loss"),
    (["我的", "卡", "被", "偷", "了"], "我的卡被偷了", "report_card_loss"),
    (["美元", "汇率", "多少"], "美元汇率多少", "fx_cross_border"),
    (["今天", "港币", "汇率"], "今天港币汇率", "fx_cross_border"),
    (["换", "美元", "怎么", "换"], "换美元怎么换", "fx_cross_border"),
]


@pytest.fixture(scope="module")
def model() -> LinearIntentModel:
    return LinearIntentModel.fit(
        [tokens for tokens, _, _ in EXAMPLES], [text for _, text, _ in EXAMPLES],
        [intent for _, _, intent in EXAMPLES], regularisation=10.0,
    )


def test_ranks_the_intent_of_unseen_wording_first(model: LinearIntentModel) -> None:
    probabilities = model.probabilities(["我", "的", "卡", "丢", "了"], "我的卡丢了")
    assert max(probabilities, key=probabilities.get) == "report_card_loss"
    assert sum(probabilities.values()) == pytest.approx(1.0)


def test_saved_model_gives_the_same_probabilities(model: LinearIntentModel, tmp_path: Path) -> None:
    model.save(tmp_path)
    loaded = LinearIntentModel.load(tmp_path)
    for tokens, text, _ in EXAMPLES:
        assert loaded.probabilities(tokens, text) == pytest.approx(model.probabilities(tokens, text))


def test_probabilities_equal_scikit_learns() -> None:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    tokens = [t for t, _, _ in EXAMPLES]
    texts = [text for _, text, _ in EXAMPLES]
    intents = [i for _, _, i in EXAMPLES]
    words = TfidfVectorizer(analyzer=lambda t: t + [" ".join(t[i:i + 2]) for i in range(len(t) - 1)],
                            sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), lowercase=False, sublinear_tf=True, min_df=2)
    features = hstack([words.fit_transform(tokens), chars.fit_transform(texts)]).tocsr()
    reference = LogisticRegression(C=10.0, max_iter=5000).fit(features, intents)
    ours = LinearIntentModel.fit(tokens, texts, intents, regularisation=10.0)
    query = (["美元", "汇率"], "美元汇率")
    expected = reference.predict_proba(hstack([words.transform([query[0]]), chars.transform([query[1]])]))[0]
    assert ours.probabilities(*query) == pytest.approx(dict(zip(reference.classes_, expected)))


def test_blend_is_the_weighted_mean_and_counts_a_missing_intent_as_zero() -> None:
    ranking = blend_rankings({"a": 0.8, "b": 0.2}, {"b": 0.6, "c": 0.4}, first_weight=0.75)
    assert [name for name, _ in ranking] == ["a", "b", "c"]
    assert dict(ranking) == pytest.approx({"a": 0.6, "b": 0.3, "c": 0.1})
