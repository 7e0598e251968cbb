"""``is_body_name``: a body's name, never a fragment of a sentence."""

import pytest

from extractor.meta import is_body_name


@pytest.mark.parametrize(
    "name",
    ["河北省工业和信息化厅", "平潭综合实验区管委会", "无锡市人民政府", "上海市人民政府办公厅", "上海市科学技术委员会",
     "淮安市洪泽区人民政府", "国家税务总局平潭综合实验区税务局", "中共河北省委组织部", "沭阳县", "某某市政务服务中心"],
)
def test_names_of_bodies(name: str) -> None:
    assert is_body_name(name)


@pytest.mark.parametrize(
    "fragment",
    ["现将我局", "我局", "本机关", "发布信息厅", "事项无锡市局", "2019年河北省教育厅", "对外公开的", "各县区", "根据要求市",
     "河北省工业和信息化", "厅", ""],
)
def test_fragments_are_not_names(fragment: str) -> None:
    assert not is_body_name(fragment)
