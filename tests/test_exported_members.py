import factdesk


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in dir(factdesk) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(factdesk, name)).__name__ == "module"}
    assert set(factdesk.__all__) - {"__version__"} == public - modules
    for name in factdesk.__all__:
        assert hasattr(factdesk, name)
