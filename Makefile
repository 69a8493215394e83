# The course's two commands (see README.md):
#   make setup   turn a fresh machine (inside a virtual environment) into a working course and build the book
#   make test    run everything: unit tests, every notebook under nbval, the grading self-check,
#                the book build with warnings as errors, and the rendered-page checks in headless Chromium
# Everything here runs offline: the network guard (course_lib/offline.py) fails any connection
# beyond localhost, in pytest and in every notebook kernel, with a message naming the caller.

PYTHON ?= python
JOBS ?= 2

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export COURSE_OFFLINE := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Widgets precompute their views on a grid of control values so they stay interactive in the book
# (course_lib/widgets/static.py); only in kernels, so unit tests see the plain snapshot.
export COURSE_STATIC_WIDGETS := 1
# One BLAS/OpenMP thread per process: the tests run two notebooks at once on two cores, and torch's
# own threads on top of that made small kernels tens of times slower. Override: OMP_NUM_THREADS=2 make ...
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
export PYTHONPATH := $(CURDIR)/tools/offline$(if $(PYTHONPATH),:$(PYTHONPATH),)

.PHONY: setup test book install sandbox browser unit notebooks selfcheck assign grade grade-class tag corpus course-gpt freeze clean

setup: install sandbox browser book
	@echo
	@echo "The course is ready. Open the book: file://$(CURDIR)/_build/html/index.html"
	@echo "Run the notebooks:  jupyter lab notebooks/     Run every test:  make test"

# The pins in requirements.txt are made for Python 3.11: say so at once instead of failing later.
# TORCH_CPU=1 (Linux laptops without an NVIDIA GPU) first installs PyTorch's CPU-only wheel from
# PyTorch's own index (a few hundred MB); PyPI's Linux torch wheel pulls about 2.7 GB of CUDA libraries.
# The pin torch==X in requirements.txt accepts that X+cpu wheel, so nothing is downloaded twice.
TORCH_VERSION := $(shell sed -n 's/^torch==//p' requirements.txt)

install:
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0) if v == (3, 11) else sys.exit("error: the course is pinned for Python 3.11 and this is Python %d.%d; make a virtual environment with python3.11 (book/setup-laptop.md)" % v)'
	$(PYTHON) -m pip install --quiet "pip==26.3"  # Python 3.11's bundled pip 23.2 rejects git+file:// requirements
ifeq ($(TORCH_CPU),1)
	$(PYTHON) -m pip install "torch==$(TORCH_VERSION)" --index-url https://download.pytorch.org/whl/cpu
endif
	$(PYTHON) -m pip install -r requirements.txt
	$(PYTHON) -m pip install --no-deps -e .

sandbox:
	bash scripts/install_sandbox.sh

browser:
	bash scripts/install_browser.sh

book:
	jupyter-book build . -W --keep-going

# Each notebook is executed ONCE per test run, by nbval (one verdict per cell); the plugin
# tools/nbcache stores every notebook whose cells all passed, outputs included, in the book's
# jupyter-cache, so the book build (-W, every page re-read with --all) renders those executions and
# runs nothing. The tests that read the built book (BOOK_TESTS) run last; tests/test_execute_once.py
# fails if the book build executed any notebook itself.
NBCACHE := -p tools.nbcache.plugin --nb-cache _build/.jupyter_cache
BOOK_TESTS := tests/test_book_pages.py tests/test_book_widgets.py tests/test_execute_once.py tests/test_student_links.py

test:
	$(PYTHON) -m pytest -n $(JOBS) --dist loadfile tests notebooks course_lib --nbval-lax --doctest-modules \
		$(NBCACHE) $(addprefix --ignore=,$(BOOK_TESTS)) --durations=10
	jupyter-book build . --all -W --keep-going
	$(PYTHON) -m pytest -n $(JOBS) --dist loadfile $(BOOK_TESTS)

unit:
	$(PYTHON) -m pytest -n $(JOBS) tests --ignore=tests/test_book_pages.py --ignore=tests/test_exercises.py

notebooks:
	$(PYTHON) -m pytest -n $(JOBS) --dist loadfile notebooks --nbval-lax $(NBCACHE)

selfcheck:
	$(PYTHON) -m course_lib.grading selfcheck

# dist/<day>/ (student notebook, autograder), then student/<day>.ipynb: what the book's Colab link opens.
assign:
	$(PYTHON) -m course_lib.grading assign
	$(PYTHON) tools/student_notebooks.py

grade:
	@test -n "$(NB)" || { echo "usage: make grade NB=path/to/submission.ipynb"; exit 2; }
	@$(PYTHON) -m course_lib.grading grade "$(NB)"

grade-class:
	@test -n "$(DIR)" || { echo "usage: make grade-class DIR=path/to/submissions/ [OUT=gradebook]"; exit 2; }
	@$(PYTHON) -m course_lib.grading grade-class "$(DIR)" --out "$(or $(OUT),gradebook)" --jobs $(JOBS)

tag:
	$(PYTHON) -m course_lib.grading tag

# The book's own text as package data (course_lib/data/book_corpus.jsonl), then the retrieval
# snapshot built on it (course_lib/data/rag_embeddings.npz). Tests fail while either is stale.
corpus:
	$(PYTHON) -m course_lib.corpus build
	$(PYTHON) -m course_lib.rag build

# The shipped course GPT (course_lib/data/course_gpt/): tokenizer + model trained on the corpus's
# train split; about 10 minutes on 2 CPU cores (one thread); 3000 steps with COURSE_FULL=1 or a GPU.
course-gpt:
	$(PYTHON) -m course_lib.training course-gpt --out course_lib/data/course_gpt

freeze:
	$(PYTHON) -m pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu$$/torch==\1/' > /tmp/requirements.freeze
	@echo "Compare /tmp/requirements.freeze with requirements.txt and keep the header."

clean:
	rm -rf _build dist
