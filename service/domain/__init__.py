"""Pure policy rules of the Five-Society Linkage: no framework, no database, no I/O.

Rule ids (R1…R19) refer to the summary of 杭民发〔2021〕126号 in the project's shared seed.
"""
