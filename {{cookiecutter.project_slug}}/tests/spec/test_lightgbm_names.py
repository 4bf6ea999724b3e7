"""LightGBM's parameter names, read from its files without importing it, are the names lightgbm gives."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.spec.lightgbm_names import lightgbm_names


def test_the_names_read_without_importing_are_lightgbms_own():
    import lightgbm
    from lightgbm.basic import _ConfigAliases

    expected = set(lightgbm.LGBMRegressor().get_params())
    for name, aliases in _ConfigAliases._get_all_param_aliases().items():
        expected.update([name, *aliases])
    assert lightgbm_names() == expected
    assert {"num_leaves", "n_estimators", "max_bin", "colsample_bytree", "feature_fraction"} <= expected


def test_a_package_without_its_files_gives_none(monkeypatch, tmp_path):
    """validate then imports lightgbm for the names (spec.rules)."""
    monkeypatch.setattr("{{ cookiecutter.package_name }}.spec.lightgbm_names.package_folder", lambda: tmp_path)
    assert lightgbm_names() is None
