"""What a serving process imports: numpy, Flask and the standard library, no heavy ML libraries.

scikit-learn, scipy and pandas cost ~150 MB per gunicorn worker; they (and the other training-only
libraries) must stay out of ``import app``, ``create_app`` and ``PasswordModel.load``/``predict``.
Checked in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.config import ROOT

TRAINING_ONLY = ("sklearn", "scipy", "pandas", "matplotlib", "gensim", "nltk", "zxcvbn", "joblib")

SCRIPT = """
import json, sys
from pathlib import Path

import app
from pipeline.passwords.model import PasswordModel
from pipeline.registry.store import production_dir

models_dir = Path(sys.argv[1])
flask_app = app.create_app({"models_dir": models_dir})
client = flask_app.test_client()
one = client.post("/predict", json={"password": "q8#Lm2!vZr9@Tx4k"})
many = client.post("/predict", json={"passwords": ["123456", "never seen 42"]})
model = PasswordModel.load(production_dir(models_dir, "passwords"))
model.predict("another unseen one")
model.predict(["x%d" % i for i in range(100)])
print(json.dumps({
    "status": [one.status_code, many.status_code],
    "problems": flask_app.extensions["models"].problems,
    "loaded": sorted(m for m in sys.modules if m.split(".")[0] in json.loads(sys.argv[2])),
}))
"""


def test_serving_imports_no_training_library(models_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(models_dir), json.dumps(TRAINING_ONLY)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["status"] == [200, 200] and report["problems"] == {}
    assert report["loaded"] == []
