"""Answer sets the template is baked with: the defaults, and every option changed.

The one home of the sets every test module bakes: the defaults keep repository secrets and no
deployment environment; the changed set turns the environment on, names another owner, cron, package
and data version, leaves the examples out and makes no git repository (what the workflow tests check both ways).
"""

DEFAULTS: dict = {}

CHANGED = {
    "project_name": "Alpha Signals",
    "package_name": "alpha_models",
    "github_owner": "alpha-org",
    "model_slot": "alpha_v1",
    "data_version": "v5.2",
    "feature_set": "medium",
    "retrain_cron": "30 2 * * 1-5",
    "use_deploy_environment": "yes",
    "include_examples": "no",
    "init_git": "no",
}

ANSWER_SETS = {"defaults": DEFAULTS, "changed": CHANGED}
