"""The normaliser's rewrite of training data keeps entities consistent."""
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

from bot.nlu.components import TextNormaliser


def _normalised(yaml_text: str):
    data = RasaYAMLReader().reads(yaml_text)
    TextNormaliser().process_training_data(data)
    return data.intent_examples[0]


def test_traditional_entity_without_value_gets_the_simplified_value():
    # otherwise the synonym mapper learns 储蓄卡 → 儲蓄卡 and a Simplified
    # client's 储蓄卡 comes out in Traditional
    example = _normalised(
        'version: "3.1"\nnlu:\n- intent: check_balance\n  examples: |\n'
        "    - 我的[儲蓄卡](account_type)還有多少錢\n"
    )
    entity = example.get("entities")[0]
    assert example.get("text")[entity["start"]:entity["end"]] == "储蓄卡"
    assert entity["value"] == "储蓄卡"


def test_annotated_canonical_value_is_kept():
    example = _normalised(
        'version: "3.1"\nnlu:\n- intent: inform\n  examples: |\n'
        '    - 換[５萬]{"entity": "amount", "value": "50000"}[美金]{"entity": "currency", "value": "USD"}\n'
    )
    values = {entity["entity"]: entity["value"] for entity in example.get("entities")}
    assert values == {"amount": "50000", "currency": "USD"}
