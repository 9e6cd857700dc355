"""The shipped demo policy (policies/reach_demo): its data, model and export; tools/train_demo_policy.py trains it."""
