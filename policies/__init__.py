"""kfstack's CrossGuard policy pack (`pulumi preview --policy-pack policies`) and its rules."""
