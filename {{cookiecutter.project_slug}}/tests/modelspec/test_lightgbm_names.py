"""LightGBM's parameter names, read from its files without importing it, are the names lightgbm gives."""

from __future__ import annotations

from {{ cookiecutter.package_name }}.modelspec.lightgbm_names import read_lightgbm


def test_the_lists_read_without_importing_are_lightgbms_own():
    import lightgbm
    from lightgbm.basic import _ConfigAliases

    aliases, arguments = read_lightgbm()

    def named(found: dict) -> dict:
        return {name: {name, *others} for name, others in found.items()}

    assert named(aliases) == named(_ConfigAliases._get_all_param_aliases())
    assert arguments == set(lightgbm.LGBMRegressor().get_params())
    assert {"num_leaves", "n_estimators", "max_bin", "colsample_bytree"} <= arguments | set(aliases)


def test_a_package_without_its_files_gives_none(monkeypatch, tmp_path):
    """spec.parameters then imports lightgbm for the lists."""
    monkeypatch.setattr("{{ cookiecutter.package_name }}.modelspec.lightgbm_names.package_folder", lambda: tmp_path)
    assert read_lightgbm() is None
