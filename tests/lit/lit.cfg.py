# lit configuration for onnxc's FileCheck tests.
import os
import lit.formats

config.name = "onnxc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.onnxc_build_dir, "tests", "lit")
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "make_bad_models.py"]

tools = os.path.join(config.onnxc_build_dir, "bin")
llvm_tools = config.llvm_tools_dir
config.environment["PATH"] = os.pathsep.join(
    [tools, llvm_tools, config.environment.get("PATH", os.environ.get("PATH", ""))])
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%node_tests", config.node_tests_dir))
config.substitutions.append(("%shared_models", config.shared_models_dir))

# Tests on ../shared/models run only when it is there (CI, the team's
# machines); a user's clone skips them.
if os.path.isdir(config.shared_models_dir):
    config.available_features.add("shared-models")
if os.path.isdir(config.node_tests_dir):
    config.available_features.add("node-tests")
try:
    import onnx  # noqa: F401
    config.available_features.add("python-onnx")
except ImportError:
    pass
