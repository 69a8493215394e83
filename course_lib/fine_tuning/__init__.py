"""Parameter-efficient fine-tuning: LoRA and bottleneck adapters (Day 17), one file per part.

- ``lora.py``: :class:`LinearWithLoRA` wraps a frozen linear map ``W`` and adds a trainable low-rank
  update: ``y = base(x) + (alpha / r) * B(A(dropout(x)))`` with ``A`` of shape ``(r, in)`` and ``B`` of
  shape ``(out, r)``, ``B = 0`` at the start so the wrapped model begins exactly where the base model is
  (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"). :meth:`LinearWithLoRA.merge`
  folds ``W + (alpha / r) B A`` into one plain ``nn.Linear``: no extra cost at inference.
  :func:`apply_lora` wraps every linear layer whose name ends with one of ``target_modules`` (the
  same rule as peft's ``LoraConfig(target_modules=...)``, :func:`matching_linear_names`) and freezes
  every other parameter; it works on our :class:`course_lib.gpt.GPT` (``blocks.0.attn.q_proj``) and on a
  transformers model (``model.layers.0.self_attn.q_proj``). :func:`merge_lora` undoes the wrapping with
  merged weights. :func:`count_parameters` and :func:`lora_parameter_count`: the arithmetic of what is
  trained. The private helpers the other two files share live here too.
- ``adapters.py``: :class:`AdapterLayer` is the bottleneck adapter of Houlsby et al. 2019
  ("Parameter-Efficient Transfer Learning for NLP"): ``x + up(act(down(x)))`` with ``up = 0`` at the
  start; :func:`apply_adapters` puts one after each named projection.
- ``experiment.py``: Day 17's experiment: :func:`glossary_qa_documents` (the task: the frozen book's
  glossary as questions and answers), :func:`finetuning_data`, :func:`finetune_config`,
  :func:`prepare_for_finetuning`, :func:`finetune` (full, LoRA or adapters through
  ``course_lib.training.train``; task loss, forgetting as held-out book loss, trainable parameters,
  :func:`training_memory_bytes`, time per step), :func:`saved_activation_bytes` and :class:`LogitsOnly`
  for transformers models.

Checked against (``tests/test_fine_tuning.py``): peft 0.21's LoRA ``Linear`` layer given the same
``A`` and ``B`` (``init_lora_weights=False`` and ``B`` randomized, since with ``B = 0`` any adapter
adds nothing), peft's ``merge_and_unload`` for merged weights, and hand counts of parameters.

Leaves out: rsLoRA's ``alpha / sqrt(r)`` scaling, DoRA, LoRA on embeddings or convolutions, several
adapters on one layer, and training the biases.
"""

from course_lib.fine_tuning.adapters import AdapterLayer, apply_adapters
from course_lib.fine_tuning.experiment import (ALL_LINEAR, FINETUNE_LR, METHODS, LogitsOnly, finetune,
                                               finetune_config, finetuning_data, glossary_qa_documents,
                                               prepare_for_finetuning, saved_activation_bytes,
                                               training_memory_bytes)
from course_lib.fine_tuning.lora import (LinearWithLoRA, apply_lora, count_parameters, lora_parameter_count,
                                         matching_linear_names, merge_lora)

__all__ = ["LinearWithLoRA", "apply_lora", "merge_lora", "count_parameters", "lora_parameter_count",
           "AdapterLayer", "apply_adapters", "matching_linear_names", "METHODS", "ALL_LINEAR",
           "glossary_qa_documents", "LogitsOnly", "FINETUNE_LR", "finetune_config", "finetuning_data",
           "prepare_for_finetuning", "training_memory_bytes", "saved_activation_bytes", "finetune"]
