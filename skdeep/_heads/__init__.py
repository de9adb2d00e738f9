"""What sits on top of a pretrained stack: backprop fine-tuning, and the
classification and regression targets."""
