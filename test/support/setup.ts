// @peculiar/x509 reads decorator metadata when it loads; every test process needs this first.
import 'reflect-metadata';
