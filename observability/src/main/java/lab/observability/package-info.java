package lab.observability;
