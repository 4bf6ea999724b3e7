"""`check`: a pickle against the numerai_predict image it will run in, before it is uploaded.

pipeline.py runs every check of a pickle: static.py (modules from the opcodes, versions from the
manifest), then a run of it: environment.py makes the image's Python and pins, runner.py starts
child.py there under the container's limits on live.py's live-shaped data, confined by the sandbox
layer (`..sandbox`), and outcome.py judges what the run left, with validation.py judging the
predictions as predict.py and Numerai's later validation do; container.py runs the real image.
"""
