/* cticonfig.h as generated with CONFIG_FAX=n, for test_fax_nofax. */
#define CONFIG_SIM_PORTS 8
