from tests.conftest import Cast


def test_the_cast_has_one_bristol_case_held_by_the_case_manager(cast: Cast) -> None:
    assert cast.case.owning_yjs == cast.bristol
    assert cast.case.case_holder == cast.case_manager
