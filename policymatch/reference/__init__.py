"""Reference tables: 区划, GB/T 4754-2017 industries, the SME size standard, qualification names.

Import the modules: ``from policymatch.reference import regions, industries, sme, qualifications``.
The tables live in ``data/``; the generated ones come from ``scripts/build_reference.py``.
"""
