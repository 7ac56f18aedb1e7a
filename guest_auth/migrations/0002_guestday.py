from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('guest_auth', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='GuestDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(db_index=True, verbose_name='day')),
                ('promoted', models.PositiveIntegerField(default=0, verbose_name='promoted')),
                ('merged', models.PositiveIntegerField(default=0, verbose_name='merged')),
                ('purged', models.PositiveIntegerField(default=0, verbose_name='purged')),
                ('created_gone', models.PositiveIntegerField(default=0, verbose_name='created, since removed')),
            ],
            options={
                'verbose_name': 'guest day',
                'verbose_name_plural': 'guest days',
            },
        ),
    ]
